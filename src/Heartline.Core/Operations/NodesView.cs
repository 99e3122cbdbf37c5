using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Operations;

/// <summary>A node as operators see it: when it started and last beat, whether it was declared lost, what it holds.</summary>
internal sealed record NodeView(string NodeId, string? Address, long StartedAt, long HeartbeatAt, long? LostAt, long Connections,
    IReadOnlyList<ScopeCount> Scopes);

/// <summary>Open connections of a node in one presence scope (a push-to-talk office, say).</summary>
internal sealed record ScopeCount(string Scope, long Connections);

/// <summary>
/// <c>GET /api/admin/nodes</c>: the cluster's nodes (one on its own), each with its open connections and their presence
/// scopes, most connections first (at most <see cref="MaxScopes"/> a node). A lost node stays listed for a day.
/// </summary>
internal interface INodesView
{
    const int MaxScopes = 50;

    Task<IReadOnlyList<NodeView>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>One node: what this process holds.</summary>
internal sealed class LocalNodesView(ConnectionRegistry registry, IOptions<PresenceOptions> presence, TimeProvider time) : INodesView
{
    private readonly long _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<IReadOnlyList<NodeView>> ListAsync(CancellationToken cancellationToken)
    {
        var scopes = new Dictionary<string, long>(StringComparer.Ordinal);
        long connections = 0;
        foreach (var connection in registry.All)
        {
            if (connection.Principal is null) continue;
            connections++;
            foreach (var scope in connection.Scopes) scopes[scope] = scopes.GetValueOrDefault(scope) + 1;
        }
        IReadOnlyList<NodeView> nodes =
        [
            new(presence.Value.NodeId, null, _startedAt, time.GetUtcNow().ToUnixTimeMilliseconds(), null, connections,
                [.. scopes.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(INodesView.MaxScopes)
                    .Select(s => new ScopeCount(s.Key, s.Value))]),
        ];
        return Task.FromResult(nodes);
    }
}

/// <summary>A cluster: the nodes table with each node's open connections and their scopes.</summary>
internal sealed class ClusterNodesView(ClusterDatabase database, TimeProvider time) : INodesView
{
    public async Task<IReadOnlyList<NodeView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lostSince = time.GetUtcNow().AddDays(-1).ToUnixTimeMilliseconds();
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT n.node_id, n.address, n.started_at, n.heartbeat_at, n.lost_at,
                   (SELECT count(*) FROM connections c WHERE c.node_id = n.node_id AND c.ended_at IS NULL) AS connections
            FROM nodes n WHERE n.lost_at IS NULL OR n.lost_at >= @LostSince ORDER BY n.node_id;
            SELECT c.node_id, s.scope, count(*) AS connections
            FROM connection_scopes s JOIN connections c ON c.connection_id = s.connection_id
            WHERE c.ended_at IS NULL GROUP BY c.node_id, s.scope;
            """, new { LostSince = lostSince }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var nodes = await results.ReadAsync<(string NodeId, string? Address, long StartedAt, long HeartbeatAt, long? LostAt, long Connections)>()
            .ConfigureAwait(false);
        var scopes = (await results.ReadAsync<(string NodeId, string Scope, long Connections)>().ConfigureAwait(false))
            .ToLookup(s => s.NodeId, StringComparer.Ordinal);
        return [.. nodes.Select(n => new NodeView(n.NodeId, n.Address, n.StartedAt, n.HeartbeatAt, n.LostAt, n.Connections,
            [.. scopes[n.NodeId].OrderByDescending(s => s.Connections).ThenBy(s => s.Scope, StringComparer.Ordinal).Take(INodesView.MaxScopes)
                .Select(s => new ScopeCount(s.Scope, s.Connections))]))];
    }
}

internal static class NodesApi
{
    internal static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/nodes", async Task<Ok<IReadOnlyList<NodeView>>> (INodesView nodes, CancellationToken cancellationToken) =>
                TypedResults.Ok(await nodes.ListAsync(cancellationToken).ConfigureAwait(false)))
            .WithName("GetNodes")
            .WithSummary("The cluster's nodes with their last heartbeat, open connections and presence scopes (admin only).")
            .RequireAuthorization(HeartlinePolicies.Administrator);
        return app;
    }
}
