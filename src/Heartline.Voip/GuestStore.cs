using System.Data.Common;
using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Voip;

/// <summary>A guest identity as stored.</summary>
internal sealed record GuestRow(string Id, string Tenant, string Name, long IsGuest, long CreatedAt, string? ConnectionId,
    long? ConnectedAt, long? DisconnectedAt);

/// <summary>Counts of the guest table.</summary>
internal sealed record GuestCounts(long Total, long Connected, long Reclaimable);

/// <summary>An open call record (its lease may be gone: a crash of a single node forgets its leases).</summary>
internal sealed record OpenCallRow(string Id, string Tenant, string CallerId, string CalleeId, string Media, long CreatedAt, long? AnsweredAt);

/// <summary>Guests and call records on the node's database (SQLite or PostgreSQL, one SQL for both).</summary>
internal sealed class GuestStore(IHeartlineDatabase database)
{
    private const string GuestColumns =
        "id AS Id, tenant AS Tenant, name AS Name, is_guest AS IsGuest, created_at AS CreatedAt, connection_id AS ConnectionId, connected_at AS ConnectedAt, disconnected_at AS DisconnectedAt";

    public Task AddAsync(GuestRow guest, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO voip_guests (id, tenant, name, is_guest, created_at) VALUES (@Id, @Tenant, @Name, 1, @CreatedAt)",
            guest, tx, cancellationToken: cancellationToken)), cancellationToken);

    public Task<GuestRow?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<GuestRow>(new CommandDefinition(
            $"SELECT {GuestColumns} FROM voip_guests WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>Marks the guest connected through <paramref name="connectionId"/>; false when the guest is gone.</summary>
    public async Task<bool> ConnectedAsync(string id, string connectionId, long now, CancellationToken cancellationToken) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE voip_guests SET connection_id = @Connection, connected_at = @Now, disconnected_at = NULL WHERE id = @Id",
            new { Id = id, Connection = connectionId, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken) == 1;

    /// <summary>Records a signed-in user of a tenant as a connected party (users are not admitted like guests).</summary>
    public Task UserConnectedAsync(string id, string tenant, string name, string connectionId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO voip_guests (id, tenant, name, is_guest, created_at, connection_id, connected_at)
            VALUES (@Id, @Tenant, @Name, 0, @Now, @Connection, @Now)
            ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, name = excluded.name, connection_id = excluded.connection_id,
                connected_at = excluded.connected_at, disconnected_at = NULL
            """, new { Id = id, Tenant = tenant, Name = name, Connection = connectionId, Now = now }, tx,
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Marks the guest disconnected, unless a newer connection of it came since.</summary>
    public Task DisconnectedAsync(string id, string connectionId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE voip_guests SET disconnected_at = @Now WHERE id = @Id AND connection_id = @Connection AND disconnected_at IS NULL",
            new { Id = id, Connection = connectionId, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Removes parties that are gone: disconnected (or admitted and never connected) at or before <paramref name="cutoff"/>.</summary>
    public Task<IReadOnlyList<string>> RemoveGoneAsync(long cutoff, CancellationToken cancellationToken) =>
        RemoveAsync(
            "WHERE (disconnected_at IS NOT NULL AND disconnected_at <= @Cutoff) OR (connection_id IS NULL AND created_at <= @Cutoff)",
            new { Cutoff = cutoff }, cancellationToken);

    /// <summary>Every guest identity (signed-in users stay).</summary>
    public Task<IReadOnlyList<string>> RemoveAllGuestsAsync(CancellationToken cancellationToken) =>
        RemoveAsync("WHERE is_guest = 1", null, cancellationToken);

    public Task<IReadOnlyList<string>> RemoveGuestAsync(string id, CancellationToken cancellationToken) =>
        RemoveAsync("WHERE id = @Id AND is_guest = 1", new { Id = id }, cancellationToken);

    /// <summary>Guests not connected since <paramref name="before"/>: disconnected before it, or admitted before it and never connected.</summary>
    public Task<IReadOnlyList<string>> RemoveStaleGuestsAsync(long before, CancellationToken cancellationToken) =>
        RemoveAsync(
            "WHERE is_guest = 1 AND ((disconnected_at IS NOT NULL AND disconnected_at < @Before) OR (connection_id IS NULL AND created_at < @Before))",
            new { Before = before }, cancellationToken);

    private Task<IReadOnlyList<string>> RemoveAsync(string where, object? parameters, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
            [.. await c.QueryAsync<string>(new CommandDefinition($"DELETE FROM voip_guests {where} RETURNING id", parameters, tx,
                cancellationToken: cancellationToken))], cancellationToken);

    /// <summary>Which of <paramref name="ids"/> still exist (a guest removed on another node).</summary>
    public Task<IReadOnlyList<string>> ExistingAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(async c =>
        {
            var found = new List<string>(ids.Count);
            // PostgreSQL takes the ids as one array; SQLite gets Dapper's expanded IN list, in chunks under its variable limit.
            var sql = database.Provider == StorageProviders.Postgres
                ? "SELECT id FROM voip_guests WHERE id = ANY(@Ids)"
                : "SELECT id FROM voip_guests WHERE id IN @Ids";
            foreach (var chunk in ids.Chunk(500))
                found.AddRange(await c.QueryAsync<string>(new CommandDefinition(sql, new { Ids = chunk }, cancellationToken: cancellationToken)));
            return found;
        }, cancellationToken);

    public Task<GuestCounts> CountAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleAsync<GuestCounts>(new CommandDefinition(
            """
            SELECT count(*) AS Total,
                   coalesce(sum(CASE WHEN connection_id IS NOT NULL AND disconnected_at IS NULL THEN 1 ELSE 0 END), 0) AS Connected,
                   coalesce(sum(CASE WHEN disconnected_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS Reclaimable
            FROM voip_guests WHERE is_guest = 1
            """, cancellationToken: cancellationToken)), cancellationToken);

    // Call records: written with the call lease's decisions (LeaseUpdate.Write), so they run in its transaction.

    public static Func<DbConnection, DbTransaction, Task> CallStarted(CallData call) => (c, tx) => c.ExecuteAsync(
        """
        INSERT INTO voip_calls (id, tenant, caller_id, callee_id, media, created_at)
        VALUES (@CallId, @Tenant, @Caller, @Callee, @Media, @CreatedAt)
        """, new { call.CallId, call.Tenant, call.Caller, call.Callee, call.Media, call.CreatedAt }, tx);

    public static Func<DbConnection, DbTransaction, Task> CallAnswered(string callId, long at) => (c, tx) => c.ExecuteAsync(
        "UPDATE voip_calls SET answered_at = @At WHERE id = @Id AND answered_at IS NULL", new { Id = callId, At = at }, tx);

    public static Func<DbConnection, DbTransaction, Task> CallEnded(string callId, long at, string reason) => (c, tx) => c.ExecuteAsync(
        "UPDATE voip_calls SET ended_at = @At, end_reason = @Reason WHERE id = @Id AND ended_at IS NULL",
        new { Id = callId, At = at, Reason = reason }, tx);

    /// <summary>Ends the open call records of <paramref name="party"/> (after a crash, whose leases may be gone); returns them.</summary>
    public Task<IReadOnlyList<OpenCallRow>> EndOpenCallsAsync(string party, long at, string reason, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<OpenCallRow>>(async (c, tx) =>
            [.. await c.QueryAsync<OpenCallRow>(new CommandDefinition(
                """
                UPDATE voip_calls SET ended_at = @At, end_reason = @Reason
                WHERE ended_at IS NULL AND (caller_id = @Party OR callee_id = @Party)
                RETURNING id AS Id, tenant AS Tenant, caller_id AS CallerId, callee_id AS CalleeId, media AS Media,
                          created_at AS CreatedAt, answered_at AS AnsweredAt
                """, new { Party = party, At = at, Reason = reason }, tx, cancellationToken: cancellationToken))], cancellationToken);

    /// <summary>The parties of calls whose records are still open (ongoing calls, and those a crash left).</summary>
    public Task<IReadOnlyList<string>> PartiesInOpenCallsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(async c =>
            [.. await c.QueryAsync<string>(new CommandDefinition(
                "SELECT caller_id FROM voip_calls WHERE ended_at IS NULL UNION SELECT callee_id FROM voip_calls WHERE ended_at IS NULL",
                cancellationToken: cancellationToken))], cancellationToken);

    /// <summary>Deletes ended call records (all, or ended before <paramref name="endedBefore"/>); ongoing calls stay.</summary>
    public Task<int> RemoveCallRecordsAsync(long? endedBefore, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            endedBefore is null
                ? "DELETE FROM voip_calls WHERE ended_at IS NOT NULL"
                : "DELETE FROM voip_calls WHERE ended_at IS NOT NULL AND ended_at < @Before",
            new { Before = endedBefore }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<CallRecordRow>> CallsOfAsync(string party, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<CallRecordRow>>(async c =>
            [.. await c.QueryAsync<CallRecordRow>(new CommandDefinition(
                """
                SELECT id AS Id, tenant AS Tenant, caller_id AS CallerId, callee_id AS CalleeId, media AS Media, created_at AS CreatedAt,
                       answered_at AS AnsweredAt, ended_at AS EndedAt, end_reason AS EndReason
                FROM voip_calls WHERE caller_id = @Party OR callee_id = @Party ORDER BY created_at DESC LIMIT @Limit
                """, new { Party = party, Limit = limit }, cancellationToken: cancellationToken))], cancellationToken);
}

/// <summary>A call record as stored.</summary>
internal sealed record CallRecordRow(string Id, string Tenant, string CallerId, string CalleeId, string Media, long CreatedAt,
    long? AnsweredAt, long? EndedAt, string? EndReason);
