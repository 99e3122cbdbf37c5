using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Core.Presence;

/// <summary><see cref="IConnectionStore"/> on the node's database (same SQL on SQLite and PostgreSQL).</summary>
internal sealed class SqlConnectionStore(IHeartlineDatabase database) : IConnectionStore
{
    /// <summary>
    /// Key of the transaction-scoped advisory lock under which one PostgreSQL node at a time purges ended connections.
    /// The delete is idempotent anyway, but nodes deleting the same batch would queue on its row locks (or deadlock on
    /// them in different orders); the others skip the round instead.
    /// </summary>
    internal const long PurgeLockKey = 0x484C_434F_4E50_5247; // "HLCONPRG"

    public Task AddAsync(ConnectionRecord connection, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO connections (connection_id, node_id, user_id, name, role, kind, tenant, claims, app_type,
                                         device, connected_at)
                VALUES (@ConnectionId, @NodeId, @UserId, @Name, @Roles, @Kind, @Tenant, @Claims, @AppType,
                        @Device, @ConnectedAt)
                """, connection, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            // The scopes go with the row: a crash leaves both or neither, so cleanup announces the user offline where it was online.
            foreach (var scope in connection.Scopes)
            {
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO connection_scopes (connection_id, scope) VALUES (@ConnectionId, @Scope)",
                    new { connection.ConnectionId, Scope = scope }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken);

    public Task AddScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO connection_scopes (connection_id, scope) VALUES (@ConnectionId, @Scope)
            ON CONFLICT (connection_id, scope) DO NOTHING
            """, new { ConnectionId = connectionId, Scope = scope }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public Task RemoveScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM connection_scopes WHERE connection_id = @ConnectionId AND scope = @Scope",
            new { ConnectionId = connectionId, Scope = scope }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public Task EndAsync(string connectionId, long endedAt, string reason, CancellationToken cancellationToken = default) =>
        // The first end wins: a late second call (say, the crash cleanup racing a normal close) changes nothing.
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE connections SET ended_at = @EndedAt, end_reason = @Reason
            WHERE connection_id = @ConnectionId AND ended_at IS NULL
            """, new { ConnectionId = connectionId, EndedAt = endedAt, Reason = reason }, tx,
            cancellationToken: cancellationToken)), cancellationToken);

    public Task<long> CountOpenAsync(string nodeId, long connectedAtMs, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM connections WHERE node_id = @NodeId AND ended_at IS NULL AND connected_at <= @ConnectedAt",
            new { NodeId = nodeId, ConnectedAt = connectedAtMs }, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<IReadOnlyList<ConnectionRecord>> ListOpenAsync(
        string? nodeId, CancellationToken cancellationToken = default) =>
        await database.ReadAsync<IReadOnlyList<ConnectionRecord>>(async c =>
        {
            var filter = nodeId is null ? "" : "node_id = @NodeId AND ";
            var rows = (await c.QueryAsync<ConnectionRecord>(new CommandDefinition(
                $"""
                SELECT connection_id AS ConnectionId, node_id AS NodeId, user_id AS UserId, name AS Name, role AS Roles,
                       kind AS Kind, tenant AS Tenant, claims AS Claims, app_type AS AppType, device AS Device,
                       connected_at AS ConnectedAt
                FROM connections
                WHERE {filter}ended_at IS NULL
                ORDER BY connected_at, connection_id
                """, new { NodeId = nodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            var scopes = (await c.QueryAsync<(string ConnectionId, string Scope)>(new CommandDefinition(
                $"""
                SELECT s.connection_id, s.scope FROM connection_scopes s JOIN connections c ON c.connection_id = s.connection_id
                WHERE {filter.Replace("node_id", "c.node_id", StringComparison.Ordinal)}c.ended_at IS NULL
                ORDER BY s.connection_id, s.scope
                """, new { NodeId = nodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .ToLookup(s => s.ConnectionId, s => s.Scope);
            return [.. rows.Select(r => r with { Scopes = [.. scopes[r.ConnectionId]] })];
        }, cancellationToken).ConfigureAwait(false);

    public Task<int> PurgeEndedAsync(long endedBefore, int limit, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (database.Provider == StorageProviders.Postgres
                && !await c.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(@Key)",
                    new { Key = PurgeLockKey }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false))
                return 0;
            // Actions left behind by a connection that is no longer open (a removal that lost a race with its
            // insert): nobody will run them any more. Kept as long as ended connections are, then deleted.
            await c.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM disconnect_actions
                WHERE created_at < @EndedBefore
                  AND connection_id NOT IN (SELECT connection_id FROM connections WHERE ended_at IS NULL)
                """, new { EndedBefore = endedBefore }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var ids = (await c.QueryAsync<string>(new CommandDefinition(
                """
                SELECT connection_id FROM connections
                WHERE ended_at IS NOT NULL AND ended_at < @EndedBefore
                ORDER BY ended_at
                LIMIT @Limit
                """, new { EndedBefore = endedBefore, Limit = limit }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            if (ids.Count == 0) return 0;
            // PostgreSQL takes the ids as one array; Dapper expands them into a parameter each for SQLite.
            var inIds = database.Provider == StorageProviders.Postgres ? "= ANY(@Ids)" : "IN @Ids";
            var batch = new { Ids = ids.ToArray() };
            await c.ExecuteAsync(new CommandDefinition($"DELETE FROM connection_scopes WHERE connection_id {inIds}", batch, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return await c.ExecuteAsync(new CommandDefinition($"DELETE FROM connections WHERE connection_id {inIds}", batch, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);

    public Task AddActionAsync(DisconnectActionRecord action, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO disconnect_actions (action_id, connection_id, kind, payload, created_at)
            VALUES (@ActionId, @ConnectionId, @Kind, @Payload, @CreatedAt)
            """, action, tx, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<bool> RemoveActionAsync(string actionId, CancellationToken cancellationToken = default) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM disconnect_actions WHERE action_id = @ActionId",
            new { ActionId = actionId }, tx, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false) > 0;

    public async Task<IReadOnlyList<DisconnectActionRecord>> ListActionsAsync(
        string connectionId, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QueryAsync<DisconnectActionRecord>(new CommandDefinition(
            """
            SELECT action_id AS ActionId, connection_id AS ConnectionId, kind AS Kind, payload AS Payload,
                   created_at AS CreatedAt
            FROM disconnect_actions
            WHERE connection_id = @ConnectionId
            ORDER BY created_at, action_id
            """, new { ConnectionId = connectionId }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)).AsList();
}
