using Heartline.Core.Auth;

namespace Heartline.Core.Presence;

/// <summary>
/// Where a node's presence transitions go and where an office's presence list comes from: this node alone
/// (<see cref="LocalPresenceBackend"/>, the default) or every node of a cluster.
/// </summary>
internal interface IPresenceBackend
{
    /// <summary>The user's first connection on this node opened. Called under the tracker's lock, in order.</summary>
    void Online(HeartlineUser user, long time);

    /// <summary>The user's last connection on this node closed and the leave grace passed. Called under the tracker's lock.</summary>
    void Offline(HeartlineUser user, long time);

    /// <summary>The office's users: this node's (<paramref name="local"/>) with every other node's.</summary>
    ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string office, IReadOnlyList<PresenceUser> local, CancellationToken cancellationToken);
}
