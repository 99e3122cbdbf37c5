using System.Text.Json.Serialization;

namespace Heartline.Core.Protocol;

internal sealed record ConnectArgs(string? Token, string? Client, string? Device, string? AppType);

/// <summary>The <c>user</c> of the connect reply: the core's fields, then those modules add (<c>IConnectInfo</c>).</summary>
internal sealed class UserInfo
{
    public string UserId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string Kind { get; init; } = "";
    public string? Tenant { get; init; }
    [JsonExtensionData] public Dictionary<string, object>? Fields { get; set; }
}

internal sealed record ConnectResult(
    string ConnectionId, string NodeId, UserInfo User, IReadOnlyList<string> Scopes, long ServerTime, long PingIntervalMs,
    int MaxMessageBytes, long TokenExpiresAt, double CommandRatePerSecond, int CommandBurst, int MaxSubscriptions);

internal sealed record PingResult(long ServerTime);

internal sealed record RefreshArgs(string? Token);

internal sealed record RefreshResult(long TokenExpiresAt);

internal sealed record SincePosition(long Offset, string? Epoch);

internal sealed record SubscribeArgs(string? Channel, SincePosition? Since);

internal sealed record ChannelArgs(string? Channel);

internal sealed record PublishResult(long Offset, string Epoch);

/// <summary><c>scope</c>; <c>office</c> is its older name (push-to-talk's scope is the office).</summary>
internal sealed record PresenceArgs(string? Scope, string? Office);
