namespace Heartline.Core.Presence;

/// <summary>A user as a presence event names them.</summary>
internal sealed record PresenceUserRef(string UserId, string Name, string Role);

/// <summary>The data of a <c>presence:{scope}</c> publication: <c>online</c> or <c>offline</c>.</summary>
internal sealed record PresenceEvent(string Event, PresenceUserRef User, long Time);

/// <summary>One open connection of a present user; <see cref="LastSeen"/> is its last inbound frame (Unix ms).</summary>
public sealed record PresenceConnection(string ConnectionId, string AppType, string? Device, long ConnectedAt, long LastSeen);

/// <summary>A present user of a scope with their open connections.</summary>
public sealed record PresenceUser(string UserId, string Name, string Role, long OnlineSince, IReadOnlyList<PresenceConnection> Connections);

/// <summary>The reply of <c>presence</c>; <c>office</c> repeats the scope under its older name.</summary>
internal sealed record PresenceResult(string Scope, IReadOnlyList<PresenceUser> Users)
{
    [System.Text.Json.Serialization.JsonPropertyName("office")] public string Office => Scope;
}
