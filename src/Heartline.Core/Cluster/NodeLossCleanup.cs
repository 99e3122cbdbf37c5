using Dapper;
using Heartline.Core.Presence;

namespace Heartline.Core.Cluster;

/// <summary>
/// What a survivor does for a lost node, once per loss (the claim in <see cref="ClusterNode"/> makes it exactly once
/// cluster-wide): runs the disconnect actions of the node's open connections with reason <c>node_lost</c> (floors
/// released), marks those connections ended, and lets each module end what the node still had (<see cref="INodeCleanup"/>).
/// Presence follows: the reconciler announces its users offline after the leave grace.
/// </summary>
internal sealed partial class NodeLossCleanup(ClusterDatabase database, IConnectionStore connections, DisconnectActions actions,
    IEnumerable<INodeCleanup> modules, TimeProvider time, ILogger<NodeLossCleanup> logger)
{
    /// <summary>
    /// Returns the number of connections ended. Only what the node had when it was declared lost (<paramref name="lostAt"/>)
    /// is ended: a node that was only paused comes back, registers again and keeps what it opened and started since.
    /// </summary>
    public async Task<int> CleanAsync(string nodeId, long lostAt, CancellationToken cancellationToken)
    {
        var open = (await connections.ListOpenAsync(nodeId, cancellationToken).ConfigureAwait(false))
            .Where(c => c.ConnectedAt < lostAt).ToList();
        var ids = open.Select(c => c.ConnectionId).ToArray();
        ILookup<string, DisconnectActionRecord> stored;
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // One read for all the node's actions (most connections have none: only speakers register one).
            stored = (await c.QueryAsync<DisconnectActionRecord>(new CommandDefinition(
                """
                SELECT action_id AS ActionId, connection_id AS ConnectionId, kind AS Kind, payload AS Payload, created_at AS CreatedAt
                FROM disconnect_actions WHERE connection_id = ANY(@Ids) ORDER BY created_at, action_id
                """, new { Ids = ids }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToLookup(a => a.ConnectionId);
        }
        var ran = 0;
        foreach (var connection in open)
        {
            if (!stored.Contains(connection.ConnectionId)) continue;
            ran += await actions.RunAsync(connection, DisconnectReasons.NodeLost, [.. stored[connection.ConnectionId]], cancellationToken)
                .ConfigureAwait(false);
        }
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // By id: a node that comes back after being declared lost keeps the connections it opened since.
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE connections SET ended_at = @Now, end_reason = @Reason
                WHERE connection_id = ANY(@Ids) AND ended_at IS NULL
                """, new { Ids = ids, Now = time.GetUtcNow().ToUnixTimeMilliseconds(), Reason = DisconnectReasons.NodeLost },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        var sessions = 0;
        foreach (var module in modules)
            sessions += await module.CleanAsync(nodeId, DisconnectReasons.NodeLost, lostAt, cancellationToken).ConfigureAwait(false);
        Log.Cleaned(logger, nodeId, open.Count, ran, sessions);
        return open.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(5601, LogLevel.Warning, "Node {NodeId} was lost: ended {Connections} of its connections, ran {Actions} disconnect actions, and modules ended {Sessions} more (reason node_lost).")]
        public static partial void Cleaned(ILogger logger, string nodeId, int connections, int actions, int sessions);
    }
}
