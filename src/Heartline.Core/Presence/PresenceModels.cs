namespace Heartline.Core.Presence;

internal sealed record PresenceUserRef(string UserId, string Name, string Role);

/// <summary>The data of a <c>presence:{office}</c> publication.</summary>
internal sealed record PresenceEvent(string Event, PresenceUserRef User, long Time);

internal sealed record PresenceConnection(string ConnectionId, string AppType, string? Device, long ConnectedAt, long LastSeen);

internal sealed record PresenceUser(string UserId, string Name, string Role, long OnlineSince, IReadOnlyList<PresenceConnection> Connections);

internal sealed record PresenceResult(string Office, IReadOnlyList<PresenceUser> Users);
