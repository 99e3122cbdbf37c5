namespace Heartline.Client;

/// <summary>The state of a <see cref="HeartlineClient"/>.</summary>
public enum HeartlineConnectionState
{
    /// <summary>Not connected: before <see cref="HeartlineClient.ConnectAsync"/>, or waiting to reconnect.</summary>
    Disconnected,
    /// <summary>Opening a socket and sending <c>connect</c>.</summary>
    Connecting,
    /// <summary>Connected; commands can be sent.</summary>
    Connected,
    /// <summary>Disposed, or stopped for good after a close code 4500–4999. Create a new client to start again.</summary>
    Closed,
}

/// <summary>A position in a channel's stream: the offset of a publication within an epoch.</summary>
/// <param name="Offset">The offset; offsets of one epoch increase by exactly 1 from 1.</param>
/// <param name="Epoch">The opaque epoch; it changes when the channel's history is lost.</param>
public readonly record struct StreamPosition(long Offset, string Epoch);

/// <summary>The user a token identifies, as returned by <c>connect</c>.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Name">The display name.</param>
/// <param name="Role">The role, for example <c>pickup_driver</c>.</param>
/// <param name="RegionId">The region id.</param>
/// <param name="OfficeId">The office id within the region.</param>
/// <param name="Office">The office key <c>{region}_{office}</c> used in channel names.</param>
public sealed record HeartlineUser(string UserId, string Name, string Role, string RegionId, string OfficeId, string Office);

/// <summary>Options of <see cref="HeartlineClient.SubscribeAsync(string, SubscribeOptions?, CancellationToken)"/>.</summary>
public sealed class SubscribeOptions
{
    /// <summary>
    /// Resume after this position (the last publication processed earlier). Default: null, start with live publications.
    /// </summary>
    public StreamPosition? Since { get; init; }

    /// <summary>
    /// A handler attached to <see cref="Subscription.Publication"/> before the command is sent, so it also receives the
    /// publications recovered from <see cref="Since"/>, which are delivered before the subscribe call returns.
    /// </summary>
    public EventHandler<PublicationEventArgs>? OnPublication { get; init; }
}
