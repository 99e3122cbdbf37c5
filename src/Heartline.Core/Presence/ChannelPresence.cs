using Heartline.Core.Connections;

namespace Heartline.Core.Presence;

/// <summary>
/// Presence of channels that keep it (<see cref="Channels.IChannelPolicy.HasPresence"/>): a subscriber is present in the
/// scope named like the channel. The connection's scope row is written before the tracker announces it and removed
/// before the tracker lets it go, so another node deciding whether the user is still present somewhere sees this one.
/// </summary>
internal sealed class ChannelPresence(PresenceTracker tracker, IConnectionStore store)
{
    /// <summary>The connection subscribes to <paramref name="channel"/>: it is present there from now on.</summary>
    public async ValueTask EnterAsync(ClientConnection connection, string channel)
    {
        if (connection.PresenceChannels.Contains(channel)) return;
        await store.AddScopeAsync(connection.Id, channel, connection.Aborted).ConfigureAwait(false);
        tracker.Join(connection, channel);
    }

    /// <summary>The connection unsubscribed: it leaves at once (no-op for a channel without presence).</summary>
    public async ValueTask LeaveAsync(ClientConnection connection, string channel)
    {
        if (!connection.PresenceChannels.Contains(channel)) return;
        try
        {
            await store.RemoveScopeAsync(connection.Id, channel, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Gone here whatever the database said: a row left behind ends with the connection.
            tracker.Leave(connection, channel);
        }
    }
}
