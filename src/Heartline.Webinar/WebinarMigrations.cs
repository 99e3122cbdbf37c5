using Heartline.Core.Storage;

namespace Heartline.Webinar;

/// <summary>The webinar module's schema (docs/webinar.md).</summary>
internal static class WebinarMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "webinars, sessions, live presence", V1Common, V1Common) { LegacyVersion = 2 },
    ];

    // Webinar watch time (docs/webinar.md). Same DDL on both engines: ids are text (UUIDs made by the server),
    // times bigint Unix milliseconds, flags integer 0/1 so the stores share one set of SQL.
    private const string V1Common =
        """
        CREATE TABLE webinars (
            id text PRIMARY KEY,
            title text NOT NULL,
            webinar_start_time bigint NOT NULL,
            webinar_scheduled_end_time bigint NOT NULL,
            webinar_actual_end_time bigint NULL,
            post_window_minutes integer NOT NULL,
            agency_id text NULL,
            client_id text NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL
        );

        -- One row per session key: a tab or device from track (or its first ping) to exit or timeout.
        -- viewer_key is 'u:' || user_id for signed-in users and 'g:' || guest_id for guests, so guests never
        -- collapse into one NULL user.
        CREATE TABLE webinar_user_sessions (
            id text PRIMARY KEY,
            webinar_id text NOT NULL REFERENCES webinars (id) ON DELETE CASCADE,
            user_id text NULL,
            guest_id text NULL,
            viewer_key text NOT NULL,
            session_id text NOT NULL,
            entered_at bigint NOT NULL,
            exited_at bigint NULL,
            duration_seconds integer NULL,
            last_heartbeat_at bigint NOT NULL,
            last_visible integer NOT NULL,
            watched_seconds_raw double precision NOT NULL,
            visible_content_seconds double precision NOT NULL,
            closed_reason text NULL,
            user_agent text NULL,
            referrer text NULL,
            ip_address text NULL,
            agency_id text NULL,
            client_id text NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL
        );
        CREATE UNIQUE INDEX ux_wus_webinar_session ON webinar_user_sessions (webinar_id, session_id);
        CREATE INDEX idx_wus_webinar_user ON webinar_user_sessions (webinar_id, user_id);
        CREATE INDEX idx_wus_webinar_entered ON webinar_user_sessions (webinar_id, entered_at DESC);
        CREATE INDEX idx_wus_user_entered ON webinar_user_sessions (user_id, entered_at DESC);
        CREATE INDEX idx_wus_session ON webinar_user_sessions (session_id);
        CREATE INDEX idx_wus_active ON webinar_user_sessions (webinar_id, exited_at) WHERE exited_at IS NULL;
        CREATE INDEX idx_wus_webinar_user_watched ON webinar_user_sessions (webinar_id, user_id, exited_at)
            WHERE exited_at IS NOT NULL;
        CREATE INDEX idx_wus_webinar_entered_exited ON webinar_user_sessions (webinar_id, entered_at, exited_at)
            WHERE exited_at IS NOT NULL;
        -- Ours. Statistics read every column they need from this index alone, already in (viewer, entered_at)
        -- order: a sequential scan instead of one table lookup per session. A heartbeat rewrites the session's entry
        -- (last_heartbeat_at, visible_content_seconds); it is the only index a heartbeat touches, which is why the
        -- sweeper finds open sessions through idx_wus_active rather than an index on last_heartbeat_at.
        CREATE INDEX ix_wus_webinar_viewer_stats ON webinar_user_sessions
            (webinar_id, viewer_key, entered_at, exited_at, last_heartbeat_at, visible_content_seconds);
        -- The retention purge.
        CREATE INDEX ix_wus_closed_exited ON webinar_user_sessions (exited_at) WHERE exited_at IS NOT NULL;

        -- Who is watching now, one row per viewer and session key ('' for clients that send none). Separate from
        -- sessions so that old clients' pings keep working and the live count never scans sessions.
        CREATE TABLE webinar_live_presence (
            webinar_id text NOT NULL REFERENCES webinars (id) ON DELETE CASCADE,
            viewer_key text NOT NULL,
            session_key text NOT NULL,
            user_id text NULL,
            last_seen_at bigint NOT NULL,
            is_visible integer NOT NULL,
            PRIMARY KEY (webinar_id, viewer_key, session_key)
        );
        CREATE INDEX ix_wlp_last_seen ON webinar_live_presence (last_seen_at);
        """;
}
