using Dapper;

namespace Heartline.Server.Webinar;

internal sealed partial class SqlWebinarStore
{
    public Task<StatsSession[]> ReadStatsSessionsAsync(string webinarId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            // One ordered scan of ix_wus_webinar_viewer_entered read straight off the data reader: statistics sweep
            // the rows in C#, and 100,000 sessions must stay well under 100 ms.
            await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
                """
                SELECT viewer_key, user_id, entered_at, COALESCE(exited_at, last_heartbeat_at),
                       CASE WHEN exited_at IS NULL THEN 1 ELSE 0 END, visible_content_seconds
                FROM webinar_user_sessions
                WHERE webinar_id = @WebinarId
                ORDER BY viewer_key, entered_at
                """, new { WebinarId = webinarId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var rows = new List<StatsSession>();
            string? previousKey = null, previousUser = null;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Consecutive rows of one viewer share one string instance.
                var key = reader.GetString(0);
                if (key != previousKey)
                {
                    previousKey = key;
                    previousUser = reader.IsDBNull(1) ? null : reader.GetString(1);
                }
                rows.Add(new StatsSession(previousKey, previousUser, reader.GetInt64(2), reader.GetInt64(3),
                    Convert.ToInt64(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture) == 1,
                    reader.GetDouble(5)));
            }
            return rows.ToArray();
        }, cancellationToken);

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
            // exited_at is the last heartbeat, never "now": the stale gap is not watch time.
            var closed = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE webinar_user_sessions
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
