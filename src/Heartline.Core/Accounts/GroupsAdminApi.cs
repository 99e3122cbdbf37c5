using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Accounts;

/// <summary><c>/api/admin/groups</c> (administrators): the declared kinds, the groups with their member counts; create, rename, set a time zone.</summary>
internal static class GroupsAdminApi
{
    public static IEndpointRouteBuilder MapGroupsAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/groups").RequireAuthorization(HeartlinePolicies.Administrator);
        admin.MapGet("", async Task<Ok<GroupList>> (Groups groups, HttpContext http) =>
                TypedResults.Ok(new GroupList(groups.Kinds, await groups.ListAsync(http.RequestAborted).ConfigureAwait(false))))
            .WithName("ListGroups").WithSummary("Kinds of groups and every group with its active members (admin only).");
        admin.MapPost("", CreateAsync).WithName("CreateGroup").WithSummary("Create a group of a declared kind (admin only).");
        admin.MapPatch("/{kind}/{id}", UpdateAsync).WithName("UpdateGroup").WithSummary("Rename a group or set its time zone (admin only).");
        return app;
    }

    private static async Task<Results<Created<GroupView>, ProblemHttpResult>> CreateAsync(HttpContext http, Groups groups)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateGroupRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        var (group, invalid, conflict) = await groups.CreateAsync(request!, http.RequestAborted).ConfigureAwait(false);
        if (conflict) return HttpProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, invalid!);
        if (invalid is not null) return HttpProblems.BadRequest(invalid);
        return TypedResults.Created($"/api/admin/groups/{group!.Kind}/{Uri.EscapeDataString(group.GroupId)}", group);
    }

    private static async Task<Results<Ok<GroupView>, ProblemHttpResult>> UpdateAsync(string kind, string id, HttpContext http, Groups groups)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateGroupRequest>(http).ConfigureAwait(false);
        if (problem is not null) return problem;
        var (group, invalid) = await groups.UpdateAsync(kind, id, request!, http.RequestAborted).ConfigureAwait(false);
        if (invalid is not null) return HttpProblems.BadRequest(invalid);
        return group is null ? HttpProblems.NotFound("no such group") : TypedResults.Ok(group);
    }
}
