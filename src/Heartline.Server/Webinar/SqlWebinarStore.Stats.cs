using Dapper;
using Heartline.Server.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Heartline.Server.Webinar;

internal sealed partial class SqlWebinarStore
{
    public Task<StatsRows> ReadStatsSessionsAsync(string webinarId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            if (c is NpgsqlConnection postgres) return await ReadStatsSessionsByCopyAsync(postgres, webinarId, cancellationToken).ConfigureAwait(false);
            return SqliteStatsReader.Read((SqliteConnection)c, webinarId, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// PostgreSQL: the same rows through binary COPY, which streams them without the per-row protocol messages of a
    /// query. COPY takes no parameters, so the id goes in as a literal; it must parse as a UUID first.
    /// </summary>
    private static async Task<StatsRows> ReadStatsSessionsByCopyAsync(NpgsqlConnection connection, string webinarId,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webinarId, out var id)) return new StatsRows();
        var rows = new StatsRows(16 * 1024);
        try
        {
            await using var export = await connection.BeginBinaryExportAsync(
                $"""
                COPY (SELECT viewer_key, entered_at, COALESCE(exited_at, last_heartbeat_at), exited_at IS NULL,
                             visible_content_seconds
                      FROM webinar_user_sessions
                      WHERE webinar_id = '{id}'
                      ORDER BY viewer_key, entered_at) TO STDOUT (FORMAT BINARY)
                """, cancellationToken).ConfigureAwait(false);
            // Rows are read with the synchronous calls, which only block while Npgsql refills its buffer from a stream
            // PostgreSQL is already sending: measured on 100,000 sessions, 55 ms against 72 ms for the async calls
            // (and 90+ ms with a cancellation token on each value). Cancellation is one registration for the export.
            await using var cancel = cancellationToken.Register(static e => ((NpgsqlBinaryExporter)e!).Cancel(), export);
            while (export.StartRow() != -1)
                rows.Add(export.Read<string>(), export.Read<long>(), export.Read<long>(), export.Read<bool>(), export.Read<double>());
            cancellationToken.ThrowIfCancellationRequested();
            return rows;
        }
        catch
        {
            rows.Dispose();
            throw;
        }
    }

    public async Task<IReadOnlyList<SessionRow>> ReadSessionsAsync(string webinarId, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QueryAsync<SessionRow>(new CommandDefinition(
            $"""
            SELECT {SessionColumns}
            FROM webinar_user_sessions
            WHERE webinar_id = @WebinarId
            ORDER BY viewer_key, entered_at
            """, new { WebinarId = webinarId }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)).AsList();

    public Task<int> CloseStaleAsync(long heartbeatBefore, long now, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
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
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM webinar_user_sessions
            WHERE id IN (SELECT id FROM webinar_user_sessions
                         WHERE exited_at IS NOT NULL AND exited_at < @Before
                         LIMIT @Limit)
            """, new { Before = closedBefore, Limit = limit }, tx, cancellationToken: cancellationToken)),
            cancellationToken);
}
