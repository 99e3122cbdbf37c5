namespace Heartline.Webinar;

/// <summary>Decides a session change from the webinar and the session's current row (null when the key is new).</summary>
internal delegate SessionDecision SessionDecider(WebinarRecord webinar, SessionRow? current);

/// <summary>The result of <see cref="IWebinarStore.ChangeSessionAsync"/>; Decision is null when the webinar does not exist.</summary>
internal sealed record SessionChangeResult(WebinarRecord? Webinar, SessionDecision? Decision);

/// <summary>The live-presence row a ping or track refreshes.</summary>
internal sealed record PresenceUpdate(Viewer Viewer, string SessionKey, bool Visible, long SeenAt);

/// <summary>The store cannot take more heartbeats now (its queue is full); answered 503 <c>unavailable</c>.</summary>
internal sealed class WebinarOverloadedException() : Exception("The webinar heartbeat queue is full.");

/// <summary>Webinars, sessions and live presence. Same contract on SQLite and PostgreSQL.</summary>
internal interface IWebinarStore
{
    Task CreateWebinarAsync(WebinarRecord webinar, CancellationToken cancellationToken = default);

    Task<WebinarRecord?> GetWebinarAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes every field of an existing webinar if its <c>updated_at</c> is still <paramref name="expectedUpdatedAt"/>
    /// (optimistic concurrency: a concurrent change is never silently undone); false when it is not, or there is none.
    /// </summary>
    Task<bool> UpdateWebinarAsync(WebinarRecord webinar, long expectedUpdatedAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes the webinar, its sessions and its live presence in one transaction; false when there is none.</summary>
    Task<bool> DeleteWebinarAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<WebinarRecord>> ListWebinarsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest webinars of one agency.</summary>
    Task<IReadOnlyList<WebinarRecord>> ListAgencyWebinarsAsync(string agencyId, int limit, CancellationToken cancellationToken = default);

    /// <summary>The webinars a signed-in user has sessions in, the most recently entered first.</summary>
    Task<IReadOnlyList<string>> WebinarsOfUserAsync(string userId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction (shared with other queued heartbeats: group commit): reads the webinar and the session with
    /// <paramref name="sessionKey"/> (locked on PostgreSQL),
    /// asks <paramref name="decide"/> what to do, and writes the session row and the live-presence row it names.
    /// An <paramref name="exit"/> may still be queued when the queue is full for heartbeats: a beacon is never retried.
    /// </summary>
    Task<SessionChangeResult> ChangeSessionAsync(string webinarId, string sessionKey, PresenceUpdate presence,
        SessionDecider decide, bool exit = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes live presence only (pings without a session key) when <paramref name="accept"/> says so. Returns the
    /// webinar, or null when it does not exist.
    /// </summary>
    Task<WebinarRecord?> TouchPresenceAsync(string webinarId, PresenceUpdate presence, Func<WebinarRecord, bool> accept,
        CancellationToken cancellationToken = default);

    Task<SessionRow?> GetSessionAsync(string webinarId, string sessionKey, CancellationToken cancellationToken = default);

    /// <summary>Distinct viewers with a live-presence row seen at or after <paramref name="seenSince"/>.</summary>
    Task<int> CountLiveViewersAsync(string webinarId, long seenSince, CancellationToken cancellationToken = default);

    /// <summary>The webinar's sessions for statistics, ordered by (viewer, entered_at). The caller disposes them.</summary>
    Task<StatsRows> ReadStatsSessionsAsync(string webinarId, CancellationToken cancellationToken = default);

    /// <summary>Every column of the webinar's sessions for the attendee report, ordered by (viewer, entered_at).</summary>
    Task<IReadOnlyList<SessionRow>> ReadSessionsAsync(string webinarId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes open sessions whose last heartbeat is before <paramref name="heartbeatBefore"/> at that heartbeat
    /// (closed_reason <c>timeout</c>) and drops live presence not seen since then. Returns the sessions closed. On
    /// PostgreSQL, where several nodes share the tables, a node that finds another one sweeping skips (returns 0).
    /// </summary>
    Task<int> CloseStaleAsync(long heartbeatBefore, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> sessions closed before <paramref name="closedBefore"/>; 0 on PostgreSQL
    /// while another node is sweeping.
    /// </summary>
    Task<int> PurgeClosedAsync(long closedBefore, int limit, CancellationToken cancellationToken = default);
}
