using System.Data.Common;
using Dapper;
using Heartline.Server.Storage;

namespace Heartline.Server.Webinar;

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

    public Task<SessionChangeResult> ChangeSessionAsync(string webinarId, string sessionKey, PresenceUpdate presence,
        SessionDecider decide, CancellationToken cancellationToken = default) =>
        EnqueueAsync(async (c, tx, webinars) =>
        {
            var webinar = await CachedWebinarAsync(c, tx, webinars, webinarId).ConfigureAwait(false);
            if (webinar is null) return new SessionChangeResult(null, null);

            var current = await SelectSessionAsync(c, tx, webinarId, sessionKey, forUpdate: true, CancellationToken.None)
                .ConfigureAwait(false);
            var decision = decide(webinar, current);
            if (decision.Insert is { } insert && !await InsertSessionAsync(c, tx, insert, CancellationToken.None).ConfigureAwait(false))
            {
                // Another node inserted the same key between our read and our insert: decide again on its row.
                current = await SelectSessionAsync(c, tx, webinarId, sessionKey, forUpdate: true, CancellationToken.None)
                    .ConfigureAwait(false);
                decision = decide(webinar, current);
                if (decision.Insert is not null)
                    throw new InvalidOperationException("A session key that exists was decided to be new.");
            }
            if (decision.Update is { } update)
                await UpdateSessionAsync(c, tx, update, CancellationToken.None).ConfigureAwait(false);

            switch (decision.Presence)
            {
                case PresenceChange.Upsert:
                    await UpsertPresenceAsync(c, tx, webinarId, presence, CancellationToken.None).ConfigureAwait(false);
                    break;
                case PresenceChange.Remove:
                    await c.ExecuteAsync(new CommandDefinition(
                        """
                        DELETE FROM webinar_live_presence
                        WHERE webinar_id = @WebinarId AND viewer_key = @ViewerKey AND session_key = @SessionKey
                        """, new { WebinarId = webinarId, ViewerKey = presence.Viewer.Key, presence.SessionKey }, tx))
                        .ConfigureAwait(false);
                    break;
            }
            return new SessionChangeResult(webinar, decision);
        }, cancellationToken);

    public Task<WebinarRecord?> TouchPresenceAsync(string webinarId, PresenceUpdate presence,
        Func<WebinarRecord, bool> accept, CancellationToken cancellationToken = default) =>
        EnqueueAsync(async (c, tx, webinars) =>
        {
            var webinar = await CachedWebinarAsync(c, tx, webinars, webinarId).ConfigureAwait(false);
            if (webinar is not null && accept(webinar))
                await UpsertPresenceAsync(c, tx, webinarId, presence, CancellationToken.None).ConfigureAwait(false);
            return webinar;
        }, cancellationToken);

    public Task<SessionRow?> GetSessionAsync(string webinarId, string sessionKey, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => SelectSessionAsync(c, null, webinarId, sessionKey, forUpdate: false, cancellationToken),
            cancellationToken);

    private Task<SessionRow?> SelectSessionAsync(DbConnection connection, DbTransaction? transaction, string webinarId,
        string sessionKey, bool forUpdate, CancellationToken cancellationToken) =>
        // SQLite has one writer, so the write transaction already excludes others; PostgreSQL locks the row.
        connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
            $"""
            SELECT {SessionColumns}
            FROM webinar_user_sessions
            WHERE webinar_id = @WebinarId AND session_id = @SessionKey
            {(forUpdate && database.Provider == StorageProviders.Postgres ? "FOR UPDATE" : "")}
            """, new { WebinarId = webinarId, SessionKey = sessionKey }, transaction, cancellationToken: cancellationToken));

    private static async Task<bool> InsertSessionAsync(DbConnection connection, DbTransaction transaction,
        SessionRow session, CancellationToken cancellationToken) =>
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
            """, session, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;

    private static Task UpdateSessionAsync(DbConnection connection, DbTransaction transaction, SessionRow session,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webinar_user_sessions
            SET exited_at = @ExitedAt, duration_seconds = @DurationSeconds, last_heartbeat_at = @LastHeartbeatAt,
                last_visible = @LastVisible, watched_seconds_raw = @WatchedSecondsRaw,
                visible_content_seconds = @VisibleContentSeconds, closed_reason = @ClosedReason,
                updated_at = @UpdatedAt
            WHERE id = @Id
            """, session, transaction, cancellationToken: cancellationToken));

    private static Task UpsertPresenceAsync(DbConnection connection, DbTransaction transaction, string webinarId,
        PresenceUpdate presence, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webinar_live_presence (webinar_id, viewer_key, session_key, user_id, last_seen_at, is_visible)
            VALUES (@WebinarId, @ViewerKey, @SessionKey, @UserId, @SeenAt, @Visible)
            ON CONFLICT (webinar_id, viewer_key, session_key)
            DO UPDATE SET last_seen_at = excluded.last_seen_at, is_visible = excluded.is_visible
            """, new
            {
                WebinarId = webinarId, ViewerKey = presence.Viewer.Key, presence.SessionKey,
                presence.Viewer.UserId, presence.SeenAt, Visible = presence.Visible ? 1 : 0,
            }, transaction, cancellationToken: cancellationToken));
}
