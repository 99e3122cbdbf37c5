using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Accounts;

/// <summary>
/// <c>/api/admin/accounts</c> (administrators): create, list, read and change accounts. A deactivation, or a change of
/// roles, groups (claims) or tenant, closes the account's connections on every node with <c>4503 revoked</c>; a
/// deactivation or a new password also revokes its refresh tokens.
/// </summary>
internal static class AccountsAdminApi
{
    public static IEndpointRouteBuilder MapAccountsAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/accounts").RequireAuthorization(HeartlinePolicies.Administrator);
        admin.MapPost("", CreateAsync).WithName("CreateAccount").WithSummary("Create an account (admin only).");
        admin.MapGet("", ListAsync).WithName("ListAccounts").WithSummary("Every account, by login (admin only).");
        admin.MapGet("/{id}", GetAsync).WithName("GetAccount").WithSummary("One account (admin only).");
        admin.MapPatch("/{id}", UpdateAsync).WithName("UpdateAccount")
            .WithSummary("Change an account's name, password, roles, groups, tenant or active state; fields left out stay (admin only).");
        admin.MapPost("/{id}/code", IssueCodeAsync).WithName("IssueAccountCode")
            .WithSummary("A one-time code (and link) that lets the user set a password: an invitation or a reset (admin only).");
        return app;
    }

    private static async Task<Results<Created<CodeIssued>, ProblemHttpResult>> IssueCodeAsync(string id, HttpContext http, Accounts accounts)
    {
        if (await accounts.IssueCodeAsync(id, http.GetPrincipal(), http.RequestAborted).ConfigureAwait(false) is not { } issued)
            return HttpProblems.NotFound("no such account");
        return TypedResults.Created((string?)null, new CodeIssued(issued.Code, issued.ExpiresAt, "/driver/?code=" + issued.Code));
    }

    private static async Task<Results<Created<AccountView>, ProblemHttpResult>> CreateAsync(HttpContext http, Accounts accounts)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateAccountRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        var (account, invalid, conflict) = await accounts.CreateAsync(request!.UserId, request.Login, request.Name, request.Password,
            request.Roles, request.Claims, request.Tenant, http.GetPrincipal(), http.RequestAborted).ConfigureAwait(false);
        if (conflict) return HttpProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, invalid!);
        if (invalid is not null) return HttpProblems.BadRequest(invalid);
        return TypedResults.Created($"/api/admin/accounts/{Uri.EscapeDataString(account!.UserId)}", account);
    }

    private static async Task<Ok<AccountList>> ListAsync(AccountStore store, IConnectionStore connections, HttpContext http)
    {
        var accounts = await store.ListAsync(http.RequestAborted).ConfigureAwait(false);
        var open = await connections.ListOpenAsync(null, http.RequestAborted).ConfigureAwait(false);
        var ids = accounts.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
        var online = open.Where(c => ids.Contains(c.UserId)).GroupBy(c => c.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return TypedResults.Ok(new AccountList([.. accounts.Select(a => a.View())], online));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> GetAsync(string id, AccountStore store, HttpContext http) =>
        await store.GetAsync(id, http.RequestAborted).ConfigureAwait(false) is { } account
            ? TypedResults.Ok(account.View())
            : HttpProblems.NotFound("no such account");

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> UpdateAsync(string id, HttpContext http, Accounts accounts)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateAccountRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        var change = new AccountChange(request!.Name, request.Password, request.Roles, request.Claims, request.Tenant, request.Active);
        var (account, invalid) = await accounts.UpdateAsync(id, change, http.GetPrincipal(), http.RequestAborted).ConfigureAwait(false);
        if (invalid is not null) return HttpProblems.BadRequest(invalid);
        return account is null ? HttpProblems.NotFound("no such account") : TypedResults.Ok(account);
    }
}
