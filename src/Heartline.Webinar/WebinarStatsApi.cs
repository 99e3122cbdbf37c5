using System.Text;
using Heartline.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Webinar;

/// <summary><c>GET /api/webinars/{id}/stats</c> (JSON) and <c>/attendees.csv</c> (admin role).</summary>
internal static class WebinarStatsApi
{
    public const int DefaultViewerLimit = 1000;
    public const int MaxViewerLimit = 100_000;

    public static void Map(RouteGroupBuilder group)
    {
        var admin = group.MapGroup("").RequireAuthorization(WebinarAdminApi.ManagerPolicy);
        admin.MapGet("/{id}/stats", GetStatsAsync)
            .WithName("GetWebinarStats")
            .WithSummary("Watch-time statistics: per viewer (union of sessions ∩ content window) and totals (admins; hosts of its agency).");
        admin.MapGet("/{id}/attendees.csv", GetAttendeesCsvAsync)
            .WithName("GetWebinarAttendeesCsv")
            .WithSummary("Attendee report as CSV: a row per viewer and a row per session (admins; hosts of its agency).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
    }

    private static async Task<Results<Ok<WebinarStatsResponse>, ProblemHttpResult>> GetStatsAsync(
        string id, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "viewer_limit")] int? viewerLimit, WebinarTracker tracker,
        IWebinarStore store, HttpContext context)
    {
        if (await WebinarAdminApi.FindManagedAsync(id, store, context) is null) return WebinarRequests.WebinarNotFound();
        var limit = viewerLimit ?? DefaultViewerLimit;
        if (limit is < 0 or > MaxViewerLimit) return HttpProblems.BadRequest($"viewer_limit: 0-{MaxViewerLimit}");
        var stats = WebinarRequests.IsWebinarId(id) ? await tracker.StatisticsAsync(id, context.RequestAborted) : null;
        if (stats is null) return WebinarRequests.WebinarNotFound();

        var (w, t) = (stats.Webinar, stats.Totals);
        var viewers = limit == 0 ? [] : t.Viewers
            .OrderByDescending(v => v.WatchedSeconds).ThenBy(v => v.ViewerKey, StringComparer.Ordinal)
            .Take(limit)
            .Select(v => new ViewerView(v.ViewerKey, v.UserId, v.UserId is null, (long)v.WatchedSeconds,
                (long)v.VisibleSeconds, v.Sessions, WebinarView.Time(v.FirstJoinAt),
                v.LastLeaveAt is { } leave ? WebinarView.Time(leave) : null, v.Completed))
            .ToList();
        return TypedResults.Ok(new WebinarStatsResponse(w.Id, w.Title, WebinarView.Time(stats.ComputedAt),
            WebinarView.Time(w.ContentFrom), WebinarView.Time(w.ContentTo), WebinarView.Time(w.CollectTo),
            (w.ContentTo - w.ContentFrom) / 1000, t.UniqueViewers, t.Sessions, Math.Round(t.AverageWatchedSeconds, 1),
            Math.Round(t.AverageVisibleSeconds, 1), t.CompletedViewers, Math.Round(t.CompletionRate, 4),
            stats.CompletionPercent, t.PeakConcurrentViewers, t.PeakAt is { } peak ? WebinarView.Time(peak) : null,
            stats.CurrentViewers, new ConcurrencySeries(WebinarView.Time(t.SeriesFrom), 60, t.ConcurrencyPerMinute),
            t.Viewers.Count, viewers));
    }

    private static async Task<IResult> GetAttendeesCsvAsync(string id, WebinarTracker tracker, IWebinarStore store, HttpContext context)
    {
        if (await WebinarAdminApi.FindManagedAsync(id, store, context) is null) return WebinarRequests.WebinarNotFound();
        var report = WebinarRequests.IsWebinarId(id) ? await tracker.AttendeeReportAsync(id, context.RequestAborted) : null;
        if (report is null) return WebinarRequests.WebinarNotFound();

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"webinar-{id}-attendees.csv\"";
        // The BOM makes spreadsheet programs read UTF-8 (Korean names and titles) correctly.
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 16 * 1024);
        await AttendeeCsv.WriteAsync(writer, report.Webinar, report.Totals, report.Sessions, context.RequestAborted);
        await writer.FlushAsync(context.RequestAborted);
        return Results.Empty;
    }
}
