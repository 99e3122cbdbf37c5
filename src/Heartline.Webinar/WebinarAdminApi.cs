using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>Create, read, update and end webinars (admin role).</summary>
internal static class WebinarAdminApi
{
    /// <summary>Longest content window accepted (a week), which also bounds the concurrency series.</summary>
    public static readonly TimeSpan MaxContentDuration = TimeSpan.FromMinutes(WatchStatistics.MaxSeriesMinutes);

    public const int MaxPostWindowMinutes = 24 * 60;

    /// <summary>Times are accepted from 1970 to the end of 9000 (so that every derived time, up to the collection end, is representable).</summary>
    private const long EarliestTime = 0;

    private static readonly long LatestTime = new DateTimeOffset(9001, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Administrators and agency hosts (<see cref="WebinarAccess.IsManager"/>); each endpoint then checks the webinar's agency.</summary>
    public const string ManagerPolicy = "webinar-manager";

    /// <summary>A webinar the caller manages, or null (no such webinar, or another agency's: both answer 404).</summary>
    internal static async Task<WebinarRecord?> FindManagedAsync(string id, IWebinarStore store, HttpContext context) =>
        WebinarRequests.IsWebinarId(id) && await store.GetWebinarAsync(id, context.RequestAborted) is { } webinar
            && WebinarAccess.CanManage(context.GetPrincipal(), webinar)
            ? webinar
            : null;

    public static void Map(RouteGroupBuilder group)
    {
        var admin = group.MapGroup("").RequireAuthorization(ManagerPolicy);
        admin.MapPost("", CreateAsync).WithName("CreateWebinar").WithSummary("Create a webinar (admins; hosts in their agency).");
        admin.MapGet("", ListAsync).WithName("ListWebinars").WithSummary("The newest webinars first (admins: all; hosts: their agency's).");
        admin.MapGet("/{id}", GetAsync).WithName("GetWebinar").WithSummary("One webinar (admins; hosts of its agency).");
        admin.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebinar")
            .WithSummary("Change a webinar's title, times, post window or owners; fields left out stay (admin only).");
        admin.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebinar")
            .WithSummary("Delete a webinar with its sessions and live presence (admin only); 404 when there is none.");
        admin.MapPost("/{id}/end", EndAsync).WithName("EndWebinar")
            .WithSummary("End a webinar now, or at ended_at: sets webinar_actual_end_time (admin only).");
    }

    private static async Task<Results<Created<WebinarView>, ProblemHttpResult>> CreateAsync(
        HttpContext context, IWebinarStore store, TimeProvider time, IOptions<WebinarOptions> options,
        ILogger<WebinarTracker> logger)
    {
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context,
            new CreateWebinarRequest(null, null, null, null, null, null));
        if (problem is not null) return problem;
        if (request!.WebinarStartTime is null || request.WebinarScheduledEndTime is null)
            return HttpProblems.BadRequest("webinar_start_time and webinar_scheduled_end_time are required");
        // A host creates in its own agency only.
        var agency = WebinarAccess.AgencyOf(context.GetPrincipal());
        if (agency is not null && request.AgencyId is { } asked && asked != agency) return HttpProblems.Forbidden("another agency");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var webinar = new WebinarRecord
        {
            Id = Guid.CreateVersion7().ToString(),
            Title = request.Title?.Trim() ?? "",
            WebinarStartTime = request.WebinarStartTime.Value.ToUnixTimeMilliseconds(),
            WebinarScheduledEndTime = request.WebinarScheduledEndTime.Value.ToUnixTimeMilliseconds(),
            PostWindowMinutes = request.PostWindowMinutes ?? options.Value.DefaultPostWindowMinutes,
            AgencyId = agency ?? request.AgencyId,
            ClientId = request.ClientId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (Check(webinar) is { } invalid) return HttpProblems.BadRequest(invalid);
        await store.CreateWebinarAsync(webinar, context.RequestAborted);
        WebinarLog.Created(logger, webinar.Id, webinar.Title);
        return TypedResults.Created($"/api/webinars/{webinar.Id}", WebinarView.From(webinar, now));
    }

    private static async Task<Ok<WebinarListResponse>> ListAsync(IWebinarStore store, TimeProvider time,
        HttpContext context, int? limit)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var count = Math.Clamp(limit ?? 100, 1, 1000);
        var items = WebinarAccess.AgencyOf(context.GetPrincipal()) is { } agency
            ? await store.ListAgencyWebinarsAsync(agency, count, context.RequestAborted)
            : await store.ListWebinarsAsync(count, context.RequestAborted);
        return TypedResults.Ok(new WebinarListResponse(items.Select(w => WebinarView.From(w, now)).ToList()));
    }

    private static async Task<Results<Ok<WebinarView>, ProblemHttpResult>> GetAsync(string id, IWebinarStore store,
        TimeProvider time, HttpContext context)
    {
        var webinar = await FindManagedAsync(id, store, context);
        return webinar is null
            ? WebinarRequests.WebinarNotFound()
            : TypedResults.Ok(WebinarView.From(webinar, time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    private static async Task<Results<Ok<WebinarView>, ProblemHttpResult>> UpdateAsync(string id, HttpContext context,
        IWebinarStore store, TimeProvider time)
    {
        var webinar = await FindManagedAsync(id, store, context);
        if (webinar is null) return WebinarRequests.WebinarNotFound();
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context,
            new UpdateWebinarRequest(null, null, null, null, null, null, null));
        if (problem is not null) return problem;
        if (request!.Title is { } title) webinar.Title = title.Trim();
        if (request.WebinarStartTime is { } start) webinar.WebinarStartTime = start.ToUnixTimeMilliseconds();
        if (request.WebinarScheduledEndTime is { } end) webinar.WebinarScheduledEndTime = end.ToUnixTimeMilliseconds();
        if (request.WebinarActualEndTime is { } actual)
        {
            // The same rule as POST …/end: an actual end is a fact, not a plan (plans are the scheduled end).
            if (actual > time.GetUtcNow())
                return HttpProblems.BadRequest("webinar_actual_end_time is in the future; set webinar_scheduled_end_time instead");
            webinar.WebinarActualEndTime = actual.ToUnixTimeMilliseconds();
        }
        if (request.PostWindowMinutes is { } post) webinar.PostWindowMinutes = post;
        if (request.AgencyId is { } agency)
        {
            if (WebinarAccess.AgencyOf(context.GetPrincipal()) is { } own && agency != own) return HttpProblems.Forbidden("another agency");
            webinar.AgencyId = agency;
        }
        if (request.ClientId is { } client) webinar.ClientId = client;
        return await SaveAsync(webinar, store, time, context);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, IWebinarStore store,
        FinishedStatsCache cache, HttpContext context, ILogger<WebinarTracker> logger)
    {
        if (await FindManagedAsync(id, store, context) is null || !await store.DeleteWebinarAsync(id, context.RequestAborted))
            return WebinarRequests.WebinarNotFound();
        cache.Forget(id);
        WebinarLog.Deleted(logger, id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebinarView>, ProblemHttpResult>> EndAsync(string id, HttpContext context,
        IWebinarStore store, TimeProvider time, ILogger<WebinarTracker> logger)
    {
        var webinar = await FindManagedAsync(id, store, context);
        if (webinar is null) return WebinarRequests.WebinarNotFound();
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context, new EndWebinarRequest(null));
        if (problem is not null) return problem;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Ending twice keeps the first end, unless the request names the time explicitly (a correction).
        if (webinar.WebinarActualEndTime is not null && request!.EndedAt is null)
            return TypedResults.Ok(WebinarView.From(webinar, now));
        var endedAt = request!.EndedAt?.ToUnixTimeMilliseconds() ?? now;
        if (endedAt < webinar.WebinarStartTime)
            return HttpProblems.BadRequest("a webinar cannot end before webinar_start_time; change the start time instead");
        if (endedAt > now)
            return HttpProblems.BadRequest("ended_at is in the future; set webinar_scheduled_end_time instead");
        webinar.WebinarActualEndTime = endedAt;
        var saved = await SaveAsync(webinar, store, time, context);
        WebinarLog.Ended(logger, id, WebinarView.Time(endedAt));
        return saved;
    }

    private static async Task<Results<Ok<WebinarView>, ProblemHttpResult>> SaveAsync(WebinarRecord webinar,
        IWebinarStore store, TimeProvider time, HttpContext context)
    {
        if (Check(webinar) is { } invalid) return HttpProblems.BadRequest(invalid);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var read = webinar.UpdatedAt;
        // Strictly increasing, so that two changes in one millisecond still tell each other apart.
        webinar.UpdatedAt = Math.Max(now, read + 1);
        if (await store.UpdateWebinarAsync(webinar, read, context.RequestAborted))
            return TypedResults.Ok(WebinarView.From(webinar, now));
        return await store.GetWebinarAsync(webinar.Id, context.RequestAborted) is null
            ? WebinarRequests.WebinarNotFound()
            : HttpProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict,
                "the webinar was changed by another request meanwhile; nothing was written: read it again and retry");
    }

    /// <summary>What is wrong with a webinar's fields, or null.</summary>
    internal static string? Check(WebinarRecord w)
    {
        if (w.Title.Length is 0 or > WebinarRequests.MaxTitleLength) return $"title: 1-{WebinarRequests.MaxTitleLength} characters";
        if (w.WebinarStartTime < EarliestTime || w.WebinarScheduledEndTime > LatestTime
            || w.WebinarActualEndTime is < 0 || w.WebinarActualEndTime > LatestTime)
            return "times must lie between 1970-01-01 and 9000-12-31";
        if (w.WebinarScheduledEndTime <= w.WebinarStartTime) return "webinar_scheduled_end_time must be after webinar_start_time";
        var longest = (long)MaxContentDuration.TotalMilliseconds;
        if (w.WebinarScheduledEndTime - w.WebinarStartTime > longest) return "the content window may be at most 7 days";
        if (w.WebinarActualEndTime is { } end && (end < w.WebinarStartTime || end - w.WebinarStartTime > longest))
            return "webinar_actual_end_time must be within 7 days after webinar_start_time";
        if (w.PostWindowMinutes is < 0 or > MaxPostWindowMinutes) return $"post_window_minutes: 0-{MaxPostWindowMinutes}";
        if (w.AgencyId is not null && !Identifiers.IsId(w.AgencyId, allowUnderscore: true)) return "agency_id: 1-64 of A-Z a-z 0-9 - . @ _";
        if (w.ClientId is not null && !Identifiers.IsId(w.ClientId, allowUnderscore: true)) return "client_id: 1-64 of A-Z a-z 0-9 - . @ _";
        return null;
    }
}
