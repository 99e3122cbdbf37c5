using System.Data.Common;
using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Webinar;

internal sealed partial class SqlWebinarStore
{
    private const string SessionColumns =
        """
        id AS Id, webinar_id AS WebinarId, user_id AS UserId, guest_id AS GuestId, viewer_key AS ViewerKey,
        session_id AS SessionId, entered_at AS EnteredAt, exited_at AS ExitedAt, duration_seconds AS DurationSeconds,
        last_heartbeat_at AS LastHeartbeatAt, last_visible AS LastVisible, watched_seconds_raw AS WatchedSecondsRaw,
        visible_content_seconds AS VisibleContentSeconds, closed_reason AS ClosedReason, user_agent AS UserAgent,
        referrer AS Referrer, ip_address AS IpAddress, agency_id AS AgencyId, client_id AS ClientId,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string SelectSessionSql =
        $"""
        SELECT {SessionColumns}
        FROM webinar_user_sessions
        WHERE webinar_id = @WebinarId AND session_id = @SessionKey
        """;

    public Task<SessionChangeResult> ChangeSessionAsync(string webinarId, string sessionKey, PresenceUpdate presence,
        SessionDecider decide, bool exit = false, CancellationToken cancellationToken = default) =>
        EnqueueAsync<SessionChangeResult>(new PendingWrite(webinarId, sessionKey, presence, decide, null),
            exit ? QueueCapacity + ExitHeadroom : QueueCapacity, cancellationToken);

    public Task<WebinarRecord?> TouchPresenceAsync(string webinarId, PresenceUpdate presence,
        Func<WebinarRecord, bool> accept, CancellationToken cancellationToken = default) =>
        EnqueueAsync<WebinarRecord?>(new PendingWrite(webinarId, presence.SessionKey, presence, null, accept),
            QueueCapacity, cancellationToken);

    private static async Task<SessionChangeResult> ChangeOneAsync(HeartbeatBatch batch, string webinarId, string sessionKey,
        PresenceUpdate presence, SessionDecider decide)
    {
        var webinar = await batch.WebinarAsync(webinarId).ConfigureAwait(false);
        if (webinar is null) return new SessionChangeResult(null, null);

        var current = await SelectSessionForUpdateAsync(batch, webinarId, sessionKey).ConfigureAwait(false);
        var decision = decide(webinar, current);
        if (decision.Insert is { } insert && !await InsertSessionAsync(batch.Connection, batch.Transaction, insert).ConfigureAwait(false))
        {
            // Another node inserted the same key between our read and our insert: decide again on its row.
            current = await SelectSessionForUpdateAsync(batch, webinarId, sessionKey).ConfigureAwait(false);
            decision = decide(webinar, current);
            if (decision.Insert is not null)
                throw new InvalidOperationException("A session key that exists was decided to be new.");
        }
        if (decision.Update is { } update)
            await UpdateSessionAsync(batch, update).ConfigureAwait(false);

        switch (decision.Presence)
        {
            case PresenceChange.Upsert:
                await UpsertPresenceAsync(batch, webinarId, presence).ConfigureAwait(false);
                break;
            case PresenceChange.Remove:
                var remove = batch.Command(DeletePresenceSql, "@WebinarId", "@ViewerKey", "@SessionKey");
                HeartbeatBatch.Set(remove, 0, webinarId);
                HeartbeatBatch.Set(remove, 1, presence.Viewer.Key);
                HeartbeatBatch.Set(remove, 2, presence.SessionKey);
                await remove.ExecuteNonQueryAsync().ConfigureAwait(false);
                break;
        }
        return new SessionChangeResult(webinar, decision);
    }

    private static async Task<WebinarRecord?> TouchOneAsync(HeartbeatBatch batch, string webinarId, PresenceUpdate presence,
        Func<WebinarRecord, bool> accept)
    {
        var webinar = await batch.WebinarAsync(webinarId).ConfigureAwait(false);
        if (webinar is not null && accept(webinar))
            await UpsertPresenceAsync(batch, webinarId, presence).ConfigureAwait(false);
        return webinar;
    }

    public Task<SessionRow?> GetSessionAsync(string webinarId, string sessionKey, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(SelectSessionSql,
            new { WebinarId = webinarId, SessionKey = sessionKey }, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>SQLite has one writer, so the write transaction already excludes others; PostgreSQL locks the row.</summary>
    private static async Task<SessionRow?> SelectSessionForUpdateAsync(HeartbeatBatch batch, string webinarId, string sessionKey)
    {
        var select = batch.Command(batch.IsPostgres ? SelectSessionSql + " FOR UPDATE" : SelectSessionSql, "@WebinarId", "@SessionKey");
        HeartbeatBatch.Set(select, 0, webinarId);
        HeartbeatBatch.Set(select, 1, sessionKey);
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? ReadSession(reader) : null;
    }

    /// <summary>A row of <see cref="SelectSessionSql"/>, by ordinal.</summary>
    private static SessionRow ReadSession(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        WebinarId = r.GetString(1),
        UserId = r.IsDBNull(2) ? null : r.GetString(2),
        GuestId = r.IsDBNull(3) ? null : r.GetString(3),
        ViewerKey = r.GetString(4),
        SessionId = r.GetString(5),
        EnteredAt = r.GetInt64(6),
        ExitedAt = r.IsDBNull(7) ? null : r.GetInt64(7),
        DurationSeconds = r.IsDBNull(8) ? null : r.GetInt32(8),
        LastHeartbeatAt = r.GetInt64(9),
        LastVisible = r.GetInt32(10),
        WatchedSecondsRaw = r.GetDouble(11),
        VisibleContentSeconds = r.GetDouble(12),
        ClosedReason = r.IsDBNull(13) ? null : r.GetString(13),
        UserAgent = r.IsDBNull(14) ? null : r.GetString(14),
        Referrer = r.IsDBNull(15) ? null : r.GetString(15),
        IpAddress = r.IsDBNull(16) ? null : r.GetString(16),
        AgencyId = r.IsDBNull(17) ? null : r.GetString(17),
        ClientId = r.IsDBNull(18) ? null : r.GetString(18),
        CreatedAt = r.GetInt64(19),
        UpdatedAt = r.GetInt64(20),
    };

    /// <summary>Once per session, so through Dapper like the rest of the store.</summary>
    private static async Task<bool> InsertSessionAsync(DbConnection connection, DbTransaction transaction, SessionRow session) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webinar_user_sessions (
                id, webinar_id, user_id, guest_id, viewer_key, session_id, entered_at, exited_at, duration_seconds,
                last_heartbeat_at, last_visible, watched_seconds_raw, visible_content_seconds, closed_reason,
                user_agent, referrer, ip_address, agency_id, client_id, created_at, updated_at)
            VALUES (
                @Id, @WebinarId, @UserId, @GuestId, @ViewerKey, @SessionId, @EnteredAt, @ExitedAt, @DurationSeconds,
                @LastHeartbeatAt, @LastVisible, @WatchedSecondsRaw, @VisibleContentSeconds, @ClosedReason,
                @UserAgent, @Referrer, @IpAddress, @AgencyId, @ClientId, @CreatedAt, @UpdatedAt)
            ON CONFLICT (webinar_id, session_id) DO NOTHING
            """, session, transaction)).ConfigureAwait(false) == 1;

    private const string UpdateSessionSql =
        """
        UPDATE webinar_user_sessions
        SET exited_at = @ExitedAt, duration_seconds = @DurationSeconds, last_heartbeat_at = @LastHeartbeatAt,
            last_visible = @LastVisible, watched_seconds_raw = @WatchedSecondsRaw,
            visible_content_seconds = @VisibleContentSeconds, closed_reason = @ClosedReason,
            updated_at = @UpdatedAt
        WHERE id = @Id
        """;

    private const string UpsertPresenceSql =
        """
        INSERT INTO webinar_live_presence (webinar_id, viewer_key, session_key, user_id, last_seen_at, is_visible)
        VALUES (@WebinarId, @ViewerKey, @SessionKey, @UserId, @SeenAt, @Visible)
        ON CONFLICT (webinar_id, viewer_key, session_key)
        DO UPDATE SET last_seen_at = excluded.last_seen_at, is_visible = excluded.is_visible
        """;

    private const string DeletePresenceSql =
        """
        DELETE FROM webinar_live_presence
        WHERE webinar_id = @WebinarId AND viewer_key = @ViewerKey AND session_key = @SessionKey
        """;

    private static Task<int> UpdateSessionAsync(HeartbeatBatch batch, SessionRow session)
    {
        var update = batch.Command(UpdateSessionSql, "@ExitedAt", "@DurationSeconds", "@LastHeartbeatAt", "@LastVisible", "@WatchedSecondsRaw",
            "@VisibleContentSeconds", "@ClosedReason", "@UpdatedAt", "@Id");
        HeartbeatBatch.Set(update, 0, session.ExitedAt);
        HeartbeatBatch.Set(update, 1, session.DurationSeconds);
        HeartbeatBatch.Set(update, 2, session.LastHeartbeatAt);
        HeartbeatBatch.Set(update, 3, session.LastVisible);
        HeartbeatBatch.Set(update, 4, session.WatchedSecondsRaw);
        HeartbeatBatch.Set(update, 5, session.VisibleContentSeconds);
        HeartbeatBatch.Set(update, 6, session.ClosedReason);
        HeartbeatBatch.Set(update, 7, session.UpdatedAt);
        HeartbeatBatch.Set(update, 8, session.Id);
        return update.ExecuteNonQueryAsync();
    }

    private static Task<int> UpsertPresenceAsync(HeartbeatBatch batch, string webinarId, PresenceUpdate presence)
    {
        var upsert = batch.Command(UpsertPresenceSql, "@WebinarId", "@ViewerKey", "@SessionKey", "@UserId", "@SeenAt", "@Visible");
        HeartbeatBatch.Set(upsert, 0, webinarId);
        HeartbeatBatch.Set(upsert, 1, presence.Viewer.Key);
        HeartbeatBatch.Set(upsert, 2, presence.SessionKey);
        HeartbeatBatch.Set(upsert, 3, presence.Viewer.UserId);
        HeartbeatBatch.Set(upsert, 4, presence.SeenAt);
        HeartbeatBatch.Set(upsert, 5, presence.Visible ? 1 : 0);
        return upsert.ExecuteNonQueryAsync();
    }
}
