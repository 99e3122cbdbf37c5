using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Voip;

/// <summary>A party as others see it.</summary>
internal sealed record PartyInfo(string Id, string Name);

/// <summary>
/// One event of a party's inbox (<c>voip:{party}</c>): <c>incoming</c>, <c>ringing</c>, <c>accepted</c>, <c>signal</c>,
/// <c>reconnecting</c>, <c>reconnected</c> or <c>ended</c>, with the fields that type uses (docs/voip.md).
/// </summary>
internal sealed record CallEvent(string Type, string CallId)
{
    public PartyInfo? From { get; init; }
    public PartyInfo? To { get; init; }
    public string? Media { get; init; }
    public string? Caller { get; init; }
    public string? Party { get; init; }
    public long? Deadline { get; init; }
    public string? Kind { get; init; }
    public JsonElement? Data { get; init; }
    public string? Reason { get; init; }
    public long? DurationMs { get; init; }
}

/// <summary>The server's liveness ping (<c>voip.ping</c>), answered by <c>voip.pong</c> with the same sequence.</summary>
internal sealed record PingPush(long Seq);

internal sealed record CallArgs(string? To, string? Media);

internal sealed record CallIdArgs(string? CallId);

internal sealed record SignalArgs(string? CallId, string? Kind, JsonElement Data);

internal sealed record PongArgs(long Seq);

internal sealed record CallReply(string CallId, string State, bool Glare);

internal sealed record RenewReply(string Token, long ExpiresAt);

internal sealed record EmptyReply;

/// <summary>The metadata of the module's events in the event log.</summary>
internal sealed record CallEventMetadata(string CallId, string Caller, string Callee, string Media, string? Reason = null,
    long? RingMs = null, long? TalkMs = null);

internal sealed record GuestRemovedMetadata(string By, string How, int Removed);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CallEvent))]
[JsonSerializable(typeof(PingPush))]
[JsonSerializable(typeof(CallArgs))]
[JsonSerializable(typeof(CallIdArgs))]
[JsonSerializable(typeof(SignalArgs))]
[JsonSerializable(typeof(PongArgs))]
[JsonSerializable(typeof(CallReply))]
[JsonSerializable(typeof(RenewReply))]
[JsonSerializable(typeof(EmptyReply))]
[JsonSerializable(typeof(CallData))]
[JsonSerializable(typeof(CallEventMetadata))]
[JsonSerializable(typeof(GuestRemovedMetadata))]
[JsonSerializable(typeof(VoipStats))]
internal sealed partial class VoipJson : JsonSerializerContext;
