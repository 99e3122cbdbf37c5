namespace Heartline.Core.Protocol;

internal sealed record ConnectArgs(string? Token, string? Client, string? Device, string? AppType);

internal sealed record UserInfo(string UserId, string Name, string Role, string RegionId, string OfficeId, string Office);

internal sealed record ConnectResult(
    string ConnectionId, string NodeId, UserInfo User, long ServerTime, long PingIntervalMs, int MaxMessageBytes,
    long TokenExpiresAt, double CommandRatePerSecond, int CommandBurst, int MaxSubscriptions);

internal sealed record PingResult(long ServerTime);

internal sealed record SincePosition(long Offset, string? Epoch);

internal sealed record SubscribeArgs(string? Channel, SincePosition? Since);

internal sealed record ChannelArgs(string? Channel);

internal sealed record PublishResult(long Offset, string Epoch);

internal sealed record PresenceArgs(string? Office);
