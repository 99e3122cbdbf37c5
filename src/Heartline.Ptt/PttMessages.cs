using System.Text.Json.Serialization;

namespace Heartline.Ptt;

internal sealed record PttUser(string UserId, string Name, string AppType);

internal sealed record PttMedia(string Provider, int[] TokenDelayMs);

internal sealed record SessionStarted(
    string Type, string SessionId, string Office, string Channel, long Epoch, PttUser Speaker, long StartedAt,
    int MaxTalkMs, PttMedia Media);

internal sealed record SessionEnded(string Type, string SessionId, long Epoch, string Reason, long EndedAt, int HangMs);

internal sealed record FloorRevoked(string Type, string SessionId, long Epoch, string UserId, string Reason);

internal sealed record SpeakerChanged(string Type, string SessionId, long Epoch, PttUser Speaker, PttUser Previous);

internal sealed record ParticipantInfo(string UserId, string Name, string AppType, string? Device, long JoinedAt, long LastSeen);

internal sealed record ParticipantJoined(string Type, string SessionId, ParticipantInfo User);

internal sealed record ParticipantLeft(string Type, string SessionId, string UserId, string Reason);

internal sealed record PressResult(string SessionId, long Epoch, string Channel, long StartedAt, int LeaseMs, int MaxTalkMs, bool? Preempted);

internal sealed record BusyDetails(PttUser Speaker, string SessionId);

internal sealed record EpochArgs(long? Epoch);

internal sealed record ReleaseResult(bool Released);

internal sealed record KeepaliveResult(int LeaseMs);

internal sealed record OfficeArgs(string? Office);

/// <summary>
/// An office's live state. <see cref="Epoch"/> is the current grant's, or when no session is active the last epoch
/// issued (null if none yet), so a client can tell a reply older than the publications it has seen.
/// </summary>
internal sealed record PttState(
    string Office, bool Active, string? SessionId, long? Epoch, string? Channel, PttUser? Speaker, long? StartedAt,
    IReadOnlyList<ParticipantInfo> Participants, PttMedia? Media = null);

internal sealed record ReportArgs(string? SessionId, double? NotifyMs, double? TokenMs, double? JoinMs);

internal sealed record HeartbeatResult(long ServerTime);

internal sealed record TokenRequest(string? Office);

internal sealed record TokenResponse(string Token, string AppId, string Channel, uint Uid, string Role, long ExpiresAt);

internal sealed record PttDailyStats(
    string Office, string Date, string TimeZone, int Sessions, double TotalTalkMinutes, double AverageTalkSeconds,
    int PeakParticipants, int PressAttempts, int BusyPresses, double BusyRate, double ErrorRate,
    double? PressToGrantAvgMs, double? PressToGrantP95Ms, double? NotifyAvgMs, double? NotifyP95Ms,
    double? TokenAvgMs, double? JoinAvgMs, double? HeartbeatSuccessRate, IReadOnlyDictionary<string, int> EndReasons);

/// <summary><c>kpi_alert</c> on <c>ptt:{office}</c> (and the webhook's body): a KPI breached or recovered over the window.</summary>
internal sealed record KpiAlert(string Type, string Office, string Kpi, string State, double Value, double Target, int WindowMinutes, long At);

/// <summary>What an operator action did: <c>done</c> (false: nothing to do, e.g. the session had already ended) and how many it affected.</summary>
internal sealed record OperatorResult(bool Done, int Count);

/// <summary><c>GET /api/ptt/sessions/{id}</c>: one transmission and who was in it.</summary>
internal sealed record SessionDetail(
    string SessionId, string Office, PttUser Speaker, long StartedAt, long? EndedAt, string? EndReason, long? DurationMs,
    double? PressToGrantMs, int PeakParticipants, int HeartbeatLost, double? SpeakerTokenMs, double? SpeakerJoinMs, long? FramesRelayed,
    IReadOnlyList<SessionListener> Listeners);

/// <summary>A listener connection of a session: when it joined and left, and what its client reported.</summary>
internal sealed record SessionListener(
    string UserId, string Name, string ConnectionId, string AppType, string? Device, long JoinedAt, long? LeftAt, string? LeftReason,
    double? NotifyMs, double? TokenMs, double? JoinMs, long? FramesHeard);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(SessionStarted))]
[JsonSerializable(typeof(SessionEnded))]
[JsonSerializable(typeof(FloorRevoked))]
[JsonSerializable(typeof(SpeakerChanged))]
[JsonSerializable(typeof(ParticipantJoined))]
[JsonSerializable(typeof(ParticipantLeft))]
[JsonSerializable(typeof(PressResult))]
[JsonSerializable(typeof(BusyDetails))]
[JsonSerializable(typeof(EpochArgs))]
[JsonSerializable(typeof(ReleaseResult))]
[JsonSerializable(typeof(KeepaliveResult))]
[JsonSerializable(typeof(OfficeArgs))]
[JsonSerializable(typeof(PttState))]
[JsonSerializable(typeof(ReportArgs))]
[JsonSerializable(typeof(HeartbeatResult))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(KpiAlert))]
[JsonSerializable(typeof(PttReport))]
[JsonSerializable(typeof(EmergencyRaised))]
[JsonSerializable(typeof(EmergencyAcknowledged))]
[JsonSerializable(typeof(EmergencyResult))]
[JsonSerializable(typeof(EmergencyAckArgs))]
[JsonSerializable(typeof(EmergencyAckResult))]
internal sealed partial class PttJsonContext : JsonSerializerContext;
