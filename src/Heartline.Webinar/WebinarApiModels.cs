namespace Heartline.Webinar;

/// <summary>What the page reports about itself. Missing <c>is_visible</c> counts as visible.</summary>
internal sealed record ViewState(bool? IsVisible, bool? IsActive);

internal sealed record TrackRequest(string? SessionKey, string? ViewerToken, string? Referrer, ViewState? ViewState);

internal sealed record PingRequest(string? SessionKey, string? ViewerToken, ViewState? ViewState);

/// <summary>The exit body; navigator.sendBeacon sends it as text/plain.</summary>
internal sealed record ExitRequest(string? SessionKey, string? ViewerToken);

internal sealed record TrackResponse(string SessionKey, string Status, string? ViewerToken, DateTimeOffset EnteredAt,
    int HeartbeatIntervalSeconds, DateTimeOffset ContentFrom, DateTimeOffset ContentTo, DateTimeOffset CollectTo);

internal sealed record SessionView(string SessionKey, string Status, DateTimeOffset EnteredAt,
    DateTimeOffset LastHeartbeatAt, double WatchedSecondsRaw);

/// <summary><c>collecting</c> turns false once the webinar's collection window is over: the module stops pinging.</summary>
internal sealed record PingResponse(bool Collecting, int HeartbeatIntervalSeconds, SessionView? Session);

internal sealed record ExitResponse(string SessionKey, string Status, DateTimeOffset? ExitedAt, string? ClosedReason);

internal sealed record CreateWebinarRequest(string? Title, DateTimeOffset? WebinarStartTime,
    DateTimeOffset? WebinarScheduledEndTime, int? PostWindowMinutes, string? AgencyId, string? ClientId);

/// <summary>PATCH: the fields present are changed.</summary>
internal sealed record UpdateWebinarRequest(string? Title, DateTimeOffset? WebinarStartTime,
    DateTimeOffset? WebinarScheduledEndTime, DateTimeOffset? WebinarActualEndTime, int? PostWindowMinutes,
    string? AgencyId, string? ClientId);

internal sealed record EndWebinarRequest(DateTimeOffset? EndedAt);

internal sealed record WebinarView(string Id, string Title, string Status, DateTimeOffset WebinarStartTime,
    DateTimeOffset WebinarScheduledEndTime, DateTimeOffset? WebinarActualEndTime, int PostWindowMinutes,
    string? AgencyId, string? ClientId, DateTimeOffset ContentFrom, DateTimeOffset ContentTo, DateTimeOffset CollectTo,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebinarView From(WebinarRecord w, long now) => new(w.Id, w.Title,
        w.WebinarActualEndTime is not null ? "ended" : now < w.WebinarStartTime ? "scheduled" : "live",
        Time(w.WebinarStartTime), Time(w.WebinarScheduledEndTime),
        w.WebinarActualEndTime is { } end ? Time(end) : null, w.PostWindowMinutes, w.AgencyId, w.ClientId,
        Time(w.ContentFrom), Time(w.ContentTo), Time(w.CollectTo), Time(w.CreatedAt), Time(w.UpdatedAt));

    /// <summary>
    /// Clamped to what DateTimeOffset can hold, so that a row written before times were range-checked can still be
    /// listed (and deleted) instead of failing every list.
    /// </summary>
    public static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(unixMs,
        DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
}

internal sealed record WebinarListResponse(IReadOnlyList<WebinarView> Items);

/// <summary>Viewers present at once, the most in each minute from <c>from</c>.</summary>
internal sealed record ConcurrencySeries(DateTimeOffset From, int IntervalSeconds, int[] Viewers);

internal sealed record ViewerView(string Viewer, string? UserId, bool Guest, long WatchedSeconds, long VisibleSeconds,
    int Sessions, DateTimeOffset FirstJoinAt, DateTimeOffset? LastLeaveAt, bool Completed);

internal sealed record WebinarStatsResponse(string WebinarId, string Title, DateTimeOffset ComputedAt,
    DateTimeOffset ContentFrom, DateTimeOffset ContentTo, DateTimeOffset CollectTo, long ContentSeconds,
    int UniqueViewers, int Sessions, double AverageWatchedSeconds, double AverageVisibleSeconds, int CompletedViewers,
    double CompletionRate, int CompletionPercent, int PeakConcurrentViewers, DateTimeOffset? PeakAt,
    int CurrentConcurrentViewers, ConcurrencySeries Concurrency, int ViewersTotal, IReadOnlyList<ViewerView> Viewers);
