using System.Text.Json.Serialization;
using Heartline.Core.Presence;

namespace Heartline.Core.Protocol;

/// <summary>Source-generated JSON for every message of the core protocol: snake_case, nulls omitted.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConnectArgs))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ConnectResult))]
[JsonSerializable(typeof(PingResult))]
[JsonSerializable(typeof(RefreshArgs))]
[JsonSerializable(typeof(RefreshResult))]
[JsonSerializable(typeof(SubscribeArgs))]
[JsonSerializable(typeof(ChannelArgs))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(PresenceArgs))]
[JsonSerializable(typeof(PresenceResult))]
[JsonSerializable(typeof(PresenceEvent))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HeartlineJsonContext : JsonSerializerContext;
