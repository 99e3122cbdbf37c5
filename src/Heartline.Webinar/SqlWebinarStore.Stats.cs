using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Dapper;
using Heartline.Core.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Heartline.Webinar;

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
    [SuppressMessage("Performance", "CA1849", Justification = "Synchronous row reads measured faster on a stream already arriving (see below).")]
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
}
