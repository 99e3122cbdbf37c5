using System.Data.Common;
using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Webinar;

internal sealed partial class SqlWebinarStore
{
    /// <summary>
    /// Key of the transaction-scoped advisory lock under which one node at a time sweeps webinar sessions. Each sweep
    /// statement is idempotent, but nodes sweeping together would queue on the same rows' locks behind each other and
    /// behind the heartbeat batches; the others skip the round instead.
    /// </summary>
    internal const long SweepLockKey = 0x484C_5745_4253_5750; // "HLWEBSWP"

    public Task<int> CloseStaleAsync(long heartbeatBefore, long now, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (!await TrySweepLockAsync(c, tx, cancellationToken).ConfigureAwait(false)) return 0;
            // exited_at is the last heartbeat, never "now": the stale gap is not watch time. Open sessions are few (the
            // live viewers); SQLite is told to find them through the partial index rather than scan the table.
            var openSessionsIndex = database.Provider == StorageProviders.Sqlite ? "INDEXED BY idx_wus_active" : "";
            var closed = await c.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE webinar_user_sessions {openSessionsIndex}
                SET exited_at = last_heartbeat_at,
                    duration_seconds = (last_heartbeat_at - entered_at) / 1000,
                    closed_reason = 'timeout',
                    updated_at = @Now
                WHERE exited_at IS NULL AND last_heartbeat_at < @Before
                """, new { Before = heartbeatBefore, Now = now }, tx, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM webinar_live_presence WHERE last_seen_at < @Before",
                new { Before = heartbeatBefore }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return closed;
        }, cancellationToken);

    public Task<int> PurgeClosedAsync(long closedBefore, int limit, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => await TrySweepLockAsync(c, tx, cancellationToken).ConfigureAwait(false)
            ? await c.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM webinar_user_sessions
                WHERE id IN (SELECT id FROM webinar_user_sessions
                             WHERE exited_at IS NOT NULL AND exited_at < @Before
                             LIMIT @Limit)
                """, new { Before = closedBefore, Limit = limit }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : 0, cancellationToken);

    /// <summary>True when this transaction may sweep: always on SQLite (one node, one writer).</summary>
    private async Task<bool> TrySweepLockAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        database.Provider != StorageProviders.Postgres
        || await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(@Key)",
            new { Key = SweepLockKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
}
