using Npgsql;
using NpgsqlTypes;

namespace Heartline.Webinar;

internal sealed partial class SqlWebinarStore
{
    /// <summary>
    /// PostgreSQL batches in three round trips whatever their size: the webinars, every session of the batch read and
    /// locked with one query, then all writes in one <see cref="NpgsqlBatch"/>. One statement per heartbeat would make
    /// the single writer wait on a network round trip four times per ping. Decisions are the same pure
    /// <see cref="SessionDecider"/>s as on SQLite; a later heartbeat of the same key in the batch sees the earlier one's row.
    /// </summary>
    private async Task<object?[]> ApplyBulkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<PendingWrite> batch)
    {
        await using var context = new HeartbeatBatch(connection, transaction, postgres: true);
        foreach (var item in batch) await context.WebinarAsync(item.WebinarId).ConfigureAwait(false);

        var rows = await LockSessionsAsync(connection, transaction, context, batch).ConfigureAwait(false);
        await using var writes = new NpgsqlBatch(connection, transaction);
        var inserts = new List<int>();
        var results = new object?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            var webinar = await context.WebinarAsync(item.WebinarId).ConfigureAwait(false);
            if (item.Decide is not { } decide)
            {
                if (webinar is not null && item.Accept!(webinar)) writes.BatchCommands.Add(UpsertPresence(item.WebinarId, item.Presence));
                results[i] = webinar;
                continue;
            }
            if (webinar is null)
            {
                results[i] = new SessionChangeResult(null, null);
                continue;
            }
            var key = (item.WebinarId, item.SessionKey);
            var decision = decide(webinar, rows.GetValueOrDefault(key));
            if (decision.Insert is { } insert)
            {
                inserts.Add(writes.BatchCommands.Count);
                writes.BatchCommands.Add(InsertSession(insert));
            }
            if (decision.Update is { } update) writes.BatchCommands.Add(UpdateSession(update));
            if (decision.Session is { } session) rows[key] = session;
            if (decision.Presence == PresenceChange.Upsert) writes.BatchCommands.Add(UpsertPresence(item.WebinarId, item.Presence));
            if (decision.Presence == PresenceChange.Remove) writes.BatchCommands.Add(DeletePresence(item.WebinarId, item.Presence));
            results[i] = new SessionChangeResult(webinar, decision);
        }

        if (writes.BatchCommands.Count > 0) await writes.ExecuteNonQueryAsync().ConfigureAwait(false);
        // A key that another node inserted after our read: the caller redoes the batch one write at a time.
        if (inserts.Exists(index => writes.BatchCommands[index].RecordsAffected != 1))
            throw new InvalidOperationException("A session key of the batch was inserted concurrently.");
        return results;
    }

    private static async Task<Dictionary<(string, string), SessionRow?>> LockSessionsAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, HeartbeatBatch context, List<PendingWrite> batch)
    {
        var rows = new Dictionary<(string, string), SessionRow?>();
        var webinarIds = new List<string>();
        var sessionKeys = new List<string>();
        foreach (var item in batch)
        {
            if (item.Decide is null || await context.WebinarAsync(item.WebinarId).ConfigureAwait(false) is null) continue;
            if (rows.TryAdd((item.WebinarId, item.SessionKey), null))
            {
                webinarIds.Add(item.WebinarId);
                sessionKeys.Add(item.SessionKey);
            }
        }
        if (webinarIds.Count == 0) return rows;

        // Locked in id order so that two nodes' batches cannot lock the same rows in opposite orders.
        await using var select = new NpgsqlCommand(
            $"""
            SELECT {SessionColumns}
            FROM webinar_user_sessions
            WHERE (webinar_id, session_id) IN (SELECT w, s FROM unnest(@WebinarIds, @SessionKeys) AS k (w, s))
            ORDER BY id
            FOR UPDATE
            """, connection, transaction);
        select.Parameters.Add(new NpgsqlParameter("WebinarIds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = webinarIds.ToArray() });
        select.Parameters.Add(new NpgsqlParameter("SessionKeys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sessionKeys.ToArray() });
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var row = ReadSession(reader);
            rows[(row.WebinarId, row.SessionId)] = row;
        }
        return rows;
    }

    private static NpgsqlBatchCommand InsertSession(SessionRow s) => Command(
        """
        INSERT INTO webinar_user_sessions (
            id, webinar_id, user_id, guest_id, viewer_key, session_id, entered_at, exited_at, duration_seconds,
            last_heartbeat_at, last_visible, watched_seconds_raw, visible_content_seconds, closed_reason,
            user_agent, referrer, ip_address, agency_id, client_id, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
        ON CONFLICT (webinar_id, session_id) DO NOTHING
        """, s.Id, s.WebinarId, s.UserId, s.GuestId, s.ViewerKey, s.SessionId, s.EnteredAt, s.ExitedAt, s.DurationSeconds,
        s.LastHeartbeatAt, s.LastVisible, s.WatchedSecondsRaw, s.VisibleContentSeconds, s.ClosedReason, s.UserAgent,
        s.Referrer, s.IpAddress, s.AgencyId, s.ClientId, s.CreatedAt, s.UpdatedAt);

    private static NpgsqlBatchCommand UpdateSession(SessionRow s) => Command(
        """
        UPDATE webinar_user_sessions
        SET exited_at = $1, duration_seconds = $2, last_heartbeat_at = $3, last_visible = $4, watched_seconds_raw = $5,
            visible_content_seconds = $6, closed_reason = $7, updated_at = $8
        WHERE id = $9
        """, s.ExitedAt, s.DurationSeconds, s.LastHeartbeatAt, s.LastVisible, s.WatchedSecondsRaw, s.VisibleContentSeconds,
        s.ClosedReason, s.UpdatedAt, s.Id);

    private static NpgsqlBatchCommand UpsertPresence(string webinarId, PresenceUpdate p) => Command(
        """
        INSERT INTO webinar_live_presence (webinar_id, viewer_key, session_key, user_id, last_seen_at, is_visible)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (webinar_id, viewer_key, session_key)
        DO UPDATE SET last_seen_at = excluded.last_seen_at, is_visible = excluded.is_visible
        """, webinarId, p.Viewer.Key, p.SessionKey, p.Viewer.UserId, p.SeenAt, p.Visible ? 1 : 0);

    private static NpgsqlBatchCommand DeletePresence(string webinarId, PresenceUpdate p) => Command(
        "DELETE FROM webinar_live_presence WHERE webinar_id = $1 AND viewer_key = $2 AND session_key = $3",
        webinarId, p.Viewer.Key, p.SessionKey);

    /// <summary>A batch command with positional parameters; nulls are sent untyped and take the column's type.</summary>
    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}
