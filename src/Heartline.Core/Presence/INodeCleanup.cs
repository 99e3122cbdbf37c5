namespace Heartline.Core.Presence;

/// <summary>
/// A module's part of cleaning up after a node that ended without its own teardown: this node's crashed predecessor
/// (at startup, reason <c>server_restart</c>) or, in a cluster, a node declared lost (<c>node_lost</c>). It runs after
/// the node's connections had their disconnect actions run, and catches what those could not (an action that never
/// reached the disk). It must be idempotent.
/// </summary>
public interface INodeCleanup
{
    /// <param name="nodeId">The node whose leftovers to end; null on a single node: whatever any earlier process left.</param>
    /// <param name="reason"><see cref="DisconnectReasons.ServerRestart"/> or <see cref="DisconnectReasons.NodeLost"/>.</param>
    /// <param name="startedBefore">Only what started before this time (Unix ms): a lost node that came back and
    /// registered again keeps what it started since it was declared lost.</param>
    /// <returns>How many things it ended, for the log.</returns>
    Task<int> CleanAsync(string? nodeId, string reason, long? startedBefore, CancellationToken cancellationToken);
}
