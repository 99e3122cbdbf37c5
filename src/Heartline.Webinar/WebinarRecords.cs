namespace Heartline.Webinar;

/// <summary>A row of <c>webinars</c>. Times are Unix milliseconds.</summary>
internal sealed class WebinarRecord
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public long WebinarStartTime { get; set; }
    public long WebinarScheduledEndTime { get; set; }
    public long? WebinarActualEndTime { get; set; }
    public int PostWindowMinutes { get; set; }
    public string? AgencyId { get; set; }
    public string? ClientId { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>Start of the content window.</summary>
    public long ContentFrom => WebinarStartTime;

    /// <summary>End of the content window: the actual end once the webinar ended, else the scheduled end.</summary>
    public long ContentTo => WebinarActualEndTime ?? WebinarScheduledEndTime;

    /// <summary>Heartbeats are collected until this long after the content ends.</summary>
    public long CollectTo => ContentTo + PostWindowMinutes * 60_000L;
}

/// <summary>A row of <c>webinar_user_sessions</c>: one session key (a tab or a device) of one viewer.</summary>
internal sealed class SessionRow
{
    public string Id { get; set; } = "";
    public string WebinarId { get; set; } = "";
    public string? UserId { get; set; }
    public string? GuestId { get; set; }
    public string ViewerKey { get; set; } = "";
    public string SessionId { get; set; } = "";
    public long EnteredAt { get; set; }
    public long? ExitedAt { get; set; }
    public int? DurationSeconds { get; set; }
    public long LastHeartbeatAt { get; set; }
    /// <summary>1 when the last ping said the page was visible: that state holds until the next ping.</summary>
    public int LastVisible { get; set; }
    /// <summary>Seconds credited by heartbeats while visible (each capped), as the specification defines it.</summary>
    public double WatchedSecondsRaw { get; set; }
    /// <summary>The part of <see cref="WatchedSecondsRaw"/> that fell inside the content window.</summary>
    public double VisibleContentSeconds { get; set; }
    public string? ClosedReason { get; set; }
    public string? UserAgent { get; set; }
    public string? Referrer { get; set; }
    public string? IpAddress { get; set; }
    public string? AgencyId { get; set; }
    public string? ClientId { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public bool IsOpen => ExitedAt is null;

    /// <summary>Where the session's interval ends: its exit, or (still open) its last heartbeat — never "now".</summary>
    public long EndAt => ExitedAt ?? LastHeartbeatAt;

    public SessionRow Copy() => (SessionRow)MemberwiseClone();
}

/// <summary>Why a session was closed.</summary>
internal static class ClosedReasons
{
    /// <summary>The client said so (exit, usually a sendBeacon).</summary>
    public const string Exit = "exit";

    /// <summary>No heartbeat for the stale timeout; closed at its last heartbeat.</summary>
    public const string Timeout = "timeout";
}

/// <summary>
/// The few columns statistics need, one per session, read ordered by (viewer, entered_at); <see cref="Viewer"/>
/// indexes the viewer keys of its <see cref="StatsRows"/>. A struct without references in an array: 100,000 sessions
/// are read without 100,000 objects, and the garbage collector has nothing to trace in them.
/// </summary>
internal readonly record struct StatsSession(int Viewer, long EnteredAt, long EndAt, bool Open, double VisibleContentSeconds);
