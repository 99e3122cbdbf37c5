namespace Heartline.Ptt;

/// <summary>Why a PTT session ended; the catalog docs/protocol.md section 10 lists.</summary>
internal static class PttEndReasons
{
    public const string Released = "released";
    public const string Disconnected = "disconnected";
    public const string LeaseExpired = "lease_expired";
    public const string MaxDuration = "max_duration";
    public const string Preempted = "preempted";
    public const string ServerRestart = "server_restart";
    public const string StaleCleaned = "stale_cleaned";
    public const string NodeLost = "node_lost";
    public const string EndedByOperator = "ended_by_operator";

    /// <summary>A driver raised an emergency: the transmission on air gave way to it (an intended end, not a failure).</summary>
    public const string Emergency = "emergency";
}

/// <summary>Durable event types of the module (seed 2.1 and 6.2).</summary>
internal static class PttEventTypes
{
    public const string SessionStarted = "SESSION_STARTED";
    public const string SessionEnded = "SESSION_ENDED";
    public const string UserJoined = "USER_JOINED";
    public const string UserLeft = "USER_LEFT";
    public const string SpeakerChanged = "SPEAKER_CHANGED";
    public const string HeartbeatLost = "HEARTBEAT_LOST";
    public const string PttBusy = "PTT_BUSY";

    /// <summary>An operator acted (<c>metadata.action</c>: <c>end_session</c>, <c>run_stale_cleaner</c>); the user is who did it.</summary>
    public const string OperatorAction = "OPERATOR_ACTION";

    /// <summary>A KPI target of the office was missed over the window, and when it was met again (<c>metadata.kpi</c>, <c>value</c>, <c>target</c>).</summary>
    public const string KpiBreached = "KPI_BREACHED";
    public const string KpiRecovered = "KPI_RECOVERED";

    /// <summary>A member raised an emergency, and a call manager acknowledged it (the user is who did it).</summary>
    public const string EmergencyRaised = "EMERGENCY_RAISED";
    public const string EmergencyAcknowledged = "EMERGENCY_ACKNOWLEDGED";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        SessionStarted, SessionEnded, UserJoined, UserLeft, SpeakerChanged, HeartbeatLost, PttBusy, OperatorAction, KpiBreached, KpiRecovered,
        EmergencyRaised, EmergencyAcknowledged,
    };
}
