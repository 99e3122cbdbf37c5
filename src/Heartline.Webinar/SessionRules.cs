namespace Heartline.Webinar;

/// <summary>The outcome of a track, ping or exit for one session key.</summary>
internal enum SessionStatus
{
    /// <summary>Heartbeat recorded on an open session.</summary>
    Updated,
    /// <summary>A new session was opened for the key.</summary>
    Created,
    /// <summary>Track with the key of an open session of the same viewer (a reload).</summary>
    Resumed,
    /// <summary>This exit closed the session.</summary>
    Exited,
    /// <summary>The session was already closed; nothing changed (exit is idempotent).</summary>
    AlreadyClosed,
    /// <summary>The session had gone stale; it is now closed at its last heartbeat and the key is spent.</summary>
    TimedOut,
    /// <summary>The key is closed; the client must start a new session with a new key.</summary>
    Closed,
    /// <summary>The key belongs to another viewer.</summary>
    Taken,
    /// <summary>No session has this key (exit only).</summary>
    NotFound,
    /// <summary>The webinar's collection window is over.</summary>
    WebinarClosed,
}

/// <summary>What the store must write: at most one session row, and the live-presence row.</summary>
internal sealed record SessionDecision(SessionStatus Status, SessionRow? Insert = null, SessionRow? Update = null,
    PresenceChange Presence = PresenceChange.None)
{
    /// <summary>The session as it stands after the decision.</summary>
    public SessionRow? Session => Insert ?? Update;
}

internal enum PresenceChange { None, Upsert, Remove }

/// <summary>Who sent a request: a signed-in user or a guest with a server-signed guest id.</summary>
internal sealed record Viewer(string? UserId, string? GuestId)
{
    public string Key => UserId is not null ? "u:" + UserId : "g:" + GuestId;

    public static Viewer User(string userId) => new(userId, null);

    public static Viewer Guest(string guestId) => new(null, guestId);
}

/// <summary>Track details recorded on a new session.</summary>
internal sealed record ClientDetails(string? UserAgent, string? Referrer, string? IpAddress);

/// <summary>
/// The watch-time rules, as pure functions of the current row and the clock, so that they are specified by unit
/// tests and the stores only apply what they decide.
/// </summary>
internal static class SessionRules
{
    /// <summary>
    /// The seconds a heartbeat at <paramref name="now"/> credits: Δt = min(now − last heartbeat, cap), only if the page
    /// was visible since the last heartbeat (the state a ping reports holds until the next one, and the module pings on
    /// every visibility change). Also the part of that Δt, taken as the most recent stretch, inside the content window.
    /// </summary>
    public static (double Raw, double InContent) Credit(
        long lastHeartbeatAt, long now, bool wasVisible, TimeSpan cap, long contentFrom, long contentTo)
    {
        if (!wasVisible || now <= lastHeartbeatAt) return (0, 0);
        var delta = Math.Min(now - lastHeartbeatAt, (long)cap.TotalMilliseconds);
        var from = now - delta;
        var inContent = Math.Max(0, Math.Min(now, contentTo) - Math.Max(from, contentFrom));
        return (delta / 1000.0, inContent / 1000.0);
    }

    public static SessionDecision Track(WebinarRecord webinar, SessionRow? row, Viewer viewer, string sessionKey,
        bool visible, ClientDetails client, WatchPolicy policy, long now)
    {
        if (now > webinar.CollectTo) return new(SessionStatus.WebinarClosed);
        if (row is null)
            return new(SessionStatus.Created, Insert: NewSession(webinar, viewer, sessionKey, visible, client, now),
                Presence: PresenceChange.Upsert);
        var heartbeat = Heartbeat(webinar, row, viewer, visible, policy, now);
        return heartbeat.Status == SessionStatus.Updated ? heartbeat with { Status = SessionStatus.Resumed } : heartbeat;
    }

    public static SessionDecision Ping(WebinarRecord webinar, SessionRow? row, Viewer viewer, string sessionKey,
        bool visible, ClientDetails client, WatchPolicy policy, long now)
    {
        if (now > webinar.CollectTo) return new(SessionStatus.WebinarClosed);
        // The seed's ping looks the session up or creates it, so a lost track costs nothing.
        if (row is null)
            return new(SessionStatus.Created, Insert: NewSession(webinar, viewer, sessionKey, visible, client, now),
                Presence: PresenceChange.Upsert);
        return Heartbeat(webinar, row, viewer, visible, policy, now);
    }

    public static SessionDecision Exit(WebinarRecord webinar, SessionRow? row, Viewer viewer, WatchPolicy policy, long now)
    {
        if (row is null) return new(SessionStatus.NotFound);
        if (row.ViewerKey != viewer.Key) return new(SessionStatus.Taken);
        if (!row.IsOpen) return new(SessionStatus.AlreadyClosed);
        if (IsStale(row, policy, now)) return TimeOut(row, now);

        // After the collection window the session ends where collection ended (or at its last heartbeat).
        var end = Math.Max(row.LastHeartbeatAt, Math.Min(now, webinar.CollectTo));
        var next = Credited(webinar, row, end, policy);
        next.ExitedAt = end;
        next.DurationSeconds = Seconds(end - next.EnteredAt);
        next.ClosedReason = ClosedReasons.Exit;
        next.UpdatedAt = now;
        return new(SessionStatus.Exited, Update: next, Presence: PresenceChange.Remove);
    }

    /// <summary>True when the session has had no heartbeat for the stale timeout.</summary>
    public static bool IsStale(SessionRow row, WatchPolicy policy, long now) =>
        row.IsOpen && now - row.LastHeartbeatAt > (long)policy.StaleTimeout.TotalMilliseconds;

    private static SessionDecision Heartbeat(WebinarRecord webinar, SessionRow row, Viewer viewer, bool visible,
        WatchPolicy policy, long now)
    {
        if (row.ViewerKey != viewer.Key) return new(SessionStatus.Taken);
        if (!row.IsOpen) return new(SessionStatus.Closed);
        // A heartbeat after the stale timeout closes the session as the sweeper would have: the gap is not watch
        // time, whenever the sweeper happens to run.
        if (IsStale(row, policy, now)) return TimeOut(row, now);

        var next = Credited(webinar, row, now, policy);
        next.LastVisible = visible ? 1 : 0;
        next.UpdatedAt = now;
        return new(SessionStatus.Updated, Update: next, Presence: PresenceChange.Upsert);
    }

    private static SessionRow Credited(WebinarRecord webinar, SessionRow row, long at, WatchPolicy policy)
    {
        var (raw, inContent) = Credit(row.LastHeartbeatAt, at, row.LastVisible == 1, policy.DeltaCap,
            webinar.ContentFrom, webinar.ContentTo);
        var next = row.Copy();
        next.WatchedSecondsRaw += raw;
        next.VisibleContentSeconds += inContent;
        next.LastHeartbeatAt = Math.Max(row.LastHeartbeatAt, at);
        return next;
    }

    private static SessionDecision TimeOut(SessionRow row, long now)
    {
        var next = row.Copy();
        next.ExitedAt = row.LastHeartbeatAt;
        next.DurationSeconds = Seconds(row.LastHeartbeatAt - row.EnteredAt);
        next.ClosedReason = ClosedReasons.Timeout;
        next.UpdatedAt = now;
        return new(SessionStatus.TimedOut, Update: next, Presence: PresenceChange.Remove);
    }

    private static SessionRow NewSession(WebinarRecord webinar, Viewer viewer, string sessionKey, bool visible,
        ClientDetails client, long now) => new()
    {
        Id = Guid.CreateVersion7().ToString(),
        WebinarId = webinar.Id,
        UserId = viewer.UserId,
        GuestId = viewer.GuestId,
        ViewerKey = viewer.Key,
        SessionId = sessionKey,
        EnteredAt = now,
        LastHeartbeatAt = now,
        LastVisible = visible ? 1 : 0,
        UserAgent = client.UserAgent,
        Referrer = client.Referrer,
        IpAddress = client.IpAddress,
        AgencyId = webinar.AgencyId,
        ClientId = webinar.ClientId,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private static int Seconds(long milliseconds) => (int)Math.Max(0, milliseconds / 1000);
}

/// <summary>The two numbers the rules need from <see cref="WebinarOptions"/>.</summary>
internal readonly record struct WatchPolicy(TimeSpan DeltaCap, TimeSpan StaleTimeout)
{
    public static WatchPolicy From(WebinarOptions options) => new(options.DeltaCap, options.StaleTimeout);
}
