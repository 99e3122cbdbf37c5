using Heartline.Core.Auth;

namespace Heartline.Core.Presence;

/// <summary>
/// Where a node's presence transitions go and where a scope's presence list comes from: this node alone
/// (<see cref="LocalPresenceBackend"/>, the default) or every node of a cluster.
/// </summary>
internal interface IPresenceBackend
{
    /// <summary>The user's first connection in the scope on this node opened. Called in order per scope, outside any lock.</summary>
    void Online(Principal principal, string scope, long time);

    /// <summary>The user's last connection in the scope on this node closed and the leave grace passed. In order per scope.</summary>
    void Offline(Principal principal, string scope, long time);

    /// <summary>The scope's users: this node's (<paramref name="local"/>) with every other node's.</summary>
    ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string scope, IReadOnlyList<PresenceUser> local, CancellationToken cancellationToken);

    /// <summary>Whether another node (not lost) has an open connection of the user.</summary>
    ValueTask<bool> IsConnectedElsewhereAsync(string userId, CancellationToken cancellationToken);
}
