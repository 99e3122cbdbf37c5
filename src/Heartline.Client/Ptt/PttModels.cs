using System.Text.Json;

namespace Heartline.Client.Ptt;

/// <summary>A speaker or participant of a push-to-talk session.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Name">The display name (render it as text).</param>
/// <param name="AppType">The app kind, e.g. <c>call_manager</c> or <c>pickup_driver</c>.</param>
public sealed record PttUser(string UserId, string Name, string AppType)
{
    internal static PttUser From(JsonElement e) => new(
        e.GetProperty("user_id").GetString() ?? "", e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
        e.TryGetProperty("app_type", out var a) ? a.GetString() ?? "" : "");
}

/// <summary>A transmission that is on the air.</summary>
/// <param name="SessionId">The session's id.</param>
/// <param name="Epoch">The floor epoch of the grant (fencing).</param>
/// <param name="Speaker">Who is talking.</param>
/// <param name="Channel">The media channel name (Agora mode).</param>
/// <param name="StartedAt">Server time of the grant, Unix ms.</param>
/// <param name="MediaProvider"><c>relay</c> or <c>agora</c>.</param>
public sealed record PttSession(string SessionId, long Epoch, PttUser Speaker, string Channel, long StartedAt, string MediaProvider);

/// <summary>The result of <see cref="PttClient.StartAsync"/>: granted, or busy with the current speaker.</summary>
/// <param name="Granted">True when this client now holds the floor.</param>
/// <param name="Session">The granted session (when granted).</param>
/// <param name="BusySpeaker">Who holds the floor (when busy).</param>
/// <param name="Preempted">True when the grant took the floor from a driver.</param>
public sealed record PttStartResult(bool Granted, PttSession? Session, PttUser? BusySpeaker, bool Preempted);

/// <summary>One received audio frame of the built-in relay.</summary>
/// <param name="Epoch">The floor epoch it belongs to.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Opus">The Opus packet.</param>
public sealed record PttAudioFrame(long Epoch, uint Sequence, ReadOnlyMemory<byte> Opus);

/// <summary>A session ended.</summary>
/// <param name="SessionId">The session's id.</param>
/// <param name="Reason">One of the protocol's end reasons, e.g. <c>released</c>, <c>disconnected</c>, <c>preempted</c>.</param>
/// <param name="HangMs">How long to stay joined for a quick reply.</param>
public sealed record PttSessionEnded(string SessionId, string Reason, int HangMs);

/// <summary>A participant joined or left.</summary>
/// <param name="SessionId">The session's id.</param>
/// <param name="UserId">The participant.</param>
/// <param name="Name">Display name, when known.</param>
/// <param name="Reason">Why a participant left (<c>disconnected</c>, <c>heartbeat_lost</c>); null on join.</param>
public sealed record PttParticipantChange(string SessionId, string UserId, string? Name, string? Reason);

/// <summary>An emergency a member raised (<c>emergency</c> on the office's channel, docs/protocol.md 10.2).</summary>
/// <param name="EmergencyId">Its id, for <see cref="PttClient.AcknowledgeEmergencyAsync"/>.</param>
/// <param name="User">Who raised it.</param>
/// <param name="At">When (Unix ms).</param>
/// <param name="EndedSessionId">The transmission that gave way to it, if one was on air.</param>
public sealed record PttEmergency(string EmergencyId, PttUser User, long At, string? EndedSessionId);

/// <summary>A call manager acknowledged an emergency.</summary>
public sealed record PttEmergencyAcknowledged(string EmergencyId, PttUser By, long At);
