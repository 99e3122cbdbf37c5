namespace Heartline.Core.Presence;

/// <summary>A connection as persisted for startup cleanup after a crash. Times are Unix milliseconds.</summary>
internal sealed record ConnectionRecord(
    string ConnectionId, string NodeId, string UserId, string Name, string Role, string RegionId, string OfficeId,
    string AppType, string? Device, long ConnectedAt);

/// <summary>A registered disconnect action: run once by the handler for <paramref name="Kind"/>.</summary>
internal sealed record DisconnectActionRecord(string ActionId, string ConnectionId, string Kind, string Payload, long CreatedAt);
