using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>Statistics of one webinar at one instant.</summary>
internal sealed record WebinarStatistics(WebinarRecord Webinar, WatchTotals Totals, int CurrentViewers, long ComputedAt,
    int CompletionPercent);

/// <summary>A webinar's totals and the session rows they were computed from.</summary>
internal sealed record AttendeeReport(WebinarRecord Webinar, WatchTotals Totals, IReadOnlyList<SessionRow> Sessions);

/// <summary>
/// Track, ping and exit on the injected clock: <see cref="SessionRules"/> decides, <see cref="IWebinarStore"/> applies
/// the decision in one transaction.
/// </summary>
internal sealed class WebinarTracker(IWebinarStore store, IOptions<WebinarOptions> options, TimeProvider time,
    WebinarMetrics metrics, ILogger<WebinarTracker> logger, FinishedStatsCache? finished = null)
{
    private readonly WebinarOptions _options = options.Value;
    private readonly WatchPolicy _policy = WatchPolicy.From(options.Value);

    public Task<SessionChangeResult> TrackAsync(string webinarId, Viewer viewer, string sessionKey, bool visible,
        ClientDetails client, CancellationToken cancellationToken = default)
    {
        var now = Now();
        return ChangeAsync(webinarId, viewer, sessionKey, visible, now,
            (w, row) => SessionRules.Track(w, row, viewer, sessionKey, visible, client, _policy, now), cancellationToken);
    }

    public Task<SessionChangeResult> PingAsync(string webinarId, Viewer viewer, string sessionKey, bool visible,
        ClientDetails client, CancellationToken cancellationToken = default)
    {
        var now = Now();
        return ChangeAsync(webinarId, viewer, sessionKey, visible, now,
            (w, row) => SessionRules.Ping(w, row, viewer, sessionKey, visible, client, _policy, now), cancellationToken);
    }

    public Task<SessionChangeResult> ExitAsync(string webinarId, Viewer viewer, string sessionKey,
        CancellationToken cancellationToken = default)
    {
        var now = Now();
        return ChangeAsync(webinarId, viewer, sessionKey, visible: false, now,
            (w, row) => SessionRules.Exit(w, row, viewer, _policy, now), cancellationToken, exit: true);
    }

    /// <summary>A ping without a session key (old clients): live presence only. Null when the webinar does not exist.</summary>
    public async Task<(WebinarRecord? Webinar, bool Collecting)> PingPresenceAsync(string webinarId, Viewer viewer,
        bool visible, CancellationToken cancellationToken = default)
    {
        var now = Now();
        var webinar = await store.TouchPresenceAsync(webinarId, new PresenceUpdate(viewer, "", visible, now),
            w => now <= w.CollectTo, cancellationToken).ConfigureAwait(false);
        return (webinar, webinar is not null && now <= webinar.CollectTo);
    }

    public async Task<WebinarStatistics?> StatisticsAsync(string webinarId, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var webinar = await store.GetWebinarAsync(webinarId, cancellationToken).ConfigureAwait(false);
        if (webinar is null) return null;
        if (finished?.Get(webinar) is { } settled) return settled;
        var now = Now();
        WatchTotals totals;
        int sessionCount;
        bool anyOpen;
        using (var sessions = await store.ReadStatsSessionsAsync(webinarId, cancellationToken).ConfigureAwait(false))
        {
            totals = WatchStatistics.Compute(webinar, sessions, now, _options.CompletionPercent);
            sessionCount = sessions.Count;
            anyOpen = AnyOpen(sessions.Span);
        }
        var current = now > webinar.CollectTo
            ? 0
            : await store.CountLiveViewersAsync(webinarId, now - (long)_policy.StaleTimeout.TotalMilliseconds,
                cancellationToken).ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
        metrics.StatsComputed(elapsed);
        WebinarLog.StatsComputed(logger, webinarId, sessionCount, elapsed);
        var statistics = new WebinarStatistics(webinar, totals, current, now, _options.CompletionPercent);
        if (now > webinar.CollectTo && !anyOpen) finished?.Set(webinar, statistics);
        return statistics;
    }

    private static bool AnyOpen(ReadOnlySpan<StatsSession> sessions)
    {
        foreach (ref readonly var s in sessions)
        {
            if (s.Open) return true;
        }
        return false;
    }

    /// <summary>
    /// The attendee report's data: its totals are computed from the very session rows it lists, so a viewer who
    /// joins while the report is read is either in both or in neither. Null when the webinar does not exist.
    /// </summary>
    public async Task<AttendeeReport?> AttendeeReportAsync(string webinarId, CancellationToken cancellationToken = default)
    {
        var webinar = await store.GetWebinarAsync(webinarId, cancellationToken).ConfigureAwait(false);
        if (webinar is null) return null;
        var sessions = await store.ReadSessionsAsync(webinarId, cancellationToken).ConfigureAwait(false);
        using var rows = new StatsRows(sessions.Count);
        foreach (var s in sessions)
            rows.Add(s.ViewerKey, s.EnteredAt, s.EndAt, s.ExitedAt is null, s.VisibleContentSeconds);
        return new AttendeeReport(webinar, WatchStatistics.Compute(webinar, rows, Now(), _options.CompletionPercent), sessions);
    }

    private async Task<SessionChangeResult> ChangeAsync(string webinarId, Viewer viewer, string sessionKey, bool visible,
        long now, SessionDecider decide, CancellationToken cancellationToken, bool exit = false)
    {
        var result = await store.ChangeSessionAsync(webinarId, sessionKey,
            new PresenceUpdate(viewer, sessionKey, visible, now), decide, exit, cancellationToken).ConfigureAwait(false);
        switch (result.Decision?.Status)
        {
            case SessionStatus.Created:
                metrics.SessionCreated();
                metrics.Heartbeat();
                break;
            case SessionStatus.Updated or SessionStatus.Resumed or SessionStatus.Exited:
                metrics.Heartbeat();
                break;
            case SessionStatus.Taken:
                metrics.Refused();
                WebinarLog.SessionKeyTaken(logger, webinarId);
                break;
            case SessionStatus.Closed or SessionStatus.TimedOut or SessionStatus.WebinarClosed:
                metrics.Refused();
                break;
        }
        return result;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
