using Heartline.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Webinar;

/// <summary>One webinar in a viewer's history: what the statistics say of that viewer there.</summary>
internal sealed record ViewerHistoryEntry(string WebinarId, string Title, string? AgencyId, DateTimeOffset WebinarStartTime, long WatchedSeconds,
    long VisibleSeconds, int Sessions, DateTimeOffset FirstJoinAt, DateTimeOffset? LastLeaveAt, bool Completed);

internal sealed record HistoryResponse(string UserId, IReadOnlyList<ViewerHistoryEntry> Items);

/// <summary>
/// <c>GET /api/webinars/viewers/{user}/history</c>: a signed-in viewer's webinars, the most recently entered first, with
/// the watch time the statistics give each (union of sessions within the content window). The viewer reads its own;
/// administrators anyone's; an agency's host only its agency's webinars.
/// </summary>
internal static class WebinarHistoryApi
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/viewers/{user}/history", GetAsync).RequireAuthorization().WithName("GetViewerHistory")
            .WithSummary("A signed-in viewer's webinars with the watch time in each (the viewer itself, admins, hosts for their agency).");

    private static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> GetAsync(string user, int? limit, IWebinarStore store,
        WebinarTracker tracker, HttpContext context)
    {
        if (!Identifiers.IsId(user, allowUnderscore: true)) return HttpProblems.BadRequest("user: 1-64 of A-Z a-z 0-9 - . @ _");
        if (limit is < 1 or > MaxLimit) return HttpProblems.BadRequest($"limit: 1-{MaxLimit}");
        var principal = context.GetPrincipal();
        var self = principal.SubjectId == user && principal.Kind == PrincipalKind.User;
        if (!self && !WebinarAccess.IsManager(principal)) return HttpProblems.Forbidden("only the viewer, administrators and hosts");
        var items = new List<ViewerHistoryEntry>();
        // A host's view skips other agencies' webinars, so it may look further back than the limit to fill it.
        foreach (var id in await store.WebinarsOfUserAsync(user, self || principal.IsAdministrator ? limit ?? DefaultLimit : MaxLimit * 5,
                     context.RequestAborted))
        {
            if (items.Count >= (limit ?? DefaultLimit)) break;
            if (await tracker.StatisticsAsync(id, context.RequestAborted) is not { } stats) continue;
            var webinar = await store.GetWebinarAsync(id, context.RequestAborted);
            if (webinar is null || (!self && !WebinarAccess.CanManage(principal, webinar))) continue;
            if (stats.Totals.Viewers.FirstOrDefault(v => v.UserId == user) is not { } viewer) continue;
            items.Add(new ViewerHistoryEntry(webinar.Id, webinar.Title, webinar.AgencyId, WebinarView.Time(webinar.WebinarStartTime),
                (long)viewer.WatchedSeconds, (long)viewer.VisibleSeconds, viewer.Sessions, WebinarView.Time(viewer.FirstJoinAt),
                viewer.LastLeaveAt is { } leave ? WebinarView.Time(leave) : null, viewer.Completed));
        }
        return TypedResults.Ok(new HistoryResponse(user, items));
    }
}
