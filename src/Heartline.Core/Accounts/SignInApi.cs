using System.Globalization;
using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Accounts;

/// <summary>
/// <c>POST /api/auth/sign-in</c>, <c>/refresh</c> and <c>/sign-out</c> (docs/accounts.md): a login and password for a
/// short access token and a rotating refresh token. Failed sign-ins are throttled per login and per address.
/// </summary>
internal static class SignInApi
{
    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").AllowAnonymous();
        auth.MapPost("/sign-in", SignInAsync).WithName("SignIn")
            .WithSummary("Exchanges a login and password for an access token and a refresh token.");
        auth.MapPost("/refresh", RefreshAsync).WithName("RefreshSignIn")
            .WithSummary("Rotates a refresh token: new tokens; a refresh token used twice revokes its whole sign-in.");
        auth.MapPost("/sign-out", SignOutAsync).WithName("SignOut")
            .WithSummary("Revokes the refresh token's sign-in (204 whether or not it existed).");
        auth.MapPost("/code", AcceptCodeAsync).WithName("AcceptAccountCode")
            .WithSummary("Sets the password with an invitation or reset code and signs in.");
        return app;
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> AcceptCodeAsync(HttpContext http, Accounts accounts, SignInThrottle throttle)
    {
        var (request, problem) = await JsonBody.ReadAsync<AcceptCodeRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (request!.Code is not { Length: > 0 and <= 64 } code || request.Password is not { Length: > 0 and <= 1024 } password)
            return HttpProblems.BadRequest("code and password are required");
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.RetryAfter(null, address) is { } wait) return TooManyAttempts(http, wait);
        var (tokens, invalid, deactivated) = await accounts.AcceptCodeAsync(code, password, http.RequestAborted).ConfigureAwait(false);
        if (invalid is not null) return HttpProblems.BadRequest(invalid);
        if (tokens is not null) return TypedResults.Ok(tokens);
        // A wrong code counts against the address only: a login's count would let anyone lock every code out.
        throttle.Failed(null, address);
        return deactivated
            ? HttpProblems.Create(StatusCodes.Status403Forbidden, ErrorCodes.AccountDisabled, "the account is deactivated")
            : HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "the code is unknown, used or expired");
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> SignInAsync(HttpContext http, Accounts accounts, SignInThrottle throttle)
    {
        var (request, problem) = await JsonBody.ReadAsync<SignInRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (request!.Login is not { Length: > 0 and <= 256 } login || request.Password is not { Length: > 0 and <= 1024 } password)
            return HttpProblems.BadRequest("login and password are required");
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var normalized = Accounts.NormalizeLogin(login);
        if (throttle.RetryAfter(normalized, address) is { } wait) return TooManyAttempts(http, wait);
        var (tokens, deactivated) = await accounts.SignInAsync(normalized, password, http.RequestAborted).ConfigureAwait(false);
        if (tokens is null)
        {
            throttle.Failed(normalized, address);
            return deactivated
                ? HttpProblems.Create(StatusCodes.Status403Forbidden, ErrorCodes.AccountDisabled, "the account is deactivated")
                : HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "wrong login or password");
        }
        throttle.Succeeded(normalized);
        return TypedResults.Ok(tokens);
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> RefreshAsync(HttpContext http, Accounts accounts)
    {
        var (request, problem) = await JsonBody.ReadAsync<RefreshRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (request!.RefreshToken is not { Length: > 0 and <= 256 } token) return HttpProblems.BadRequest("refresh_token is required");
        var (tokens, outcome) = await accounts.RefreshAsync(token, http.RequestAborted).ConfigureAwait(false);
        return tokens is not null
            ? TypedResults.Ok(tokens)
            : HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials,
                outcome == RefreshOutcome.Reused
                    ? "refresh token already used: every token of this sign-in is revoked; sign in again"
                    : "refresh token unknown, expired or revoked; sign in again");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SignOutAsync(HttpContext http, Accounts accounts)
    {
        var (request, problem) = await JsonBody.ReadAsync<RefreshRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (request!.RefreshToken is not { Length: > 0 and <= 256 } token) return HttpProblems.BadRequest("refresh_token is required");
        await accounts.SignOutAsync(token, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult TooManyAttempts(HttpContext http, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return HttpProblems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
            $"too many failed sign-ins for this login or from this address; try again in {seconds} s");
    }
}
