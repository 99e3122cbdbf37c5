namespace Heartline.Ptt;

internal static partial class PttMigrations
{
    // One DDL for both engines: text, bigint Unix ms and double precision mean the same on each.
    private const string V1Common =
        """
        CREATE TABLE ptt_sessions (
            session_id text PRIMARY KEY,
            office text NOT NULL,
            channel text NOT NULL,
            epoch bigint NOT NULL,
            node_id text NOT NULL,
            event_id text NOT NULL,
            speaker_user_id text NOT NULL,
            speaker_name text NOT NULL,
            speaker_app_type text NOT NULL,
            started_at bigint NOT NULL,
            ended_at bigint NULL,
            end_reason text NULL,
            press_to_grant_us bigint NULL,
            peak_participants integer NOT NULL DEFAULT 0,
            heartbeat_lost integer NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_ptt_sessions_office_started ON ptt_sessions (office, started_at);
        CREATE INDEX ix_ptt_sessions_open ON ptt_sessions (node_id) WHERE ended_at IS NULL;
        CREATE TABLE ptt_participants (
            session_id text NOT NULL,
            connection_id text NOT NULL,
            user_id text NOT NULL,
            name text NOT NULL,
            app_type text NOT NULL,
            device text NULL,
            joined_at bigint NOT NULL,
            left_at bigint NULL,
            left_reason text NULL,
            last_seen bigint NOT NULL,
            notify_ms double precision NULL,
            token_ms double precision NULL,
            join_ms double precision NULL,
            PRIMARY KEY (session_id, connection_id)
        );
        CREATE INDEX ix_ptt_participants_open ON ptt_participants (session_id) WHERE left_at IS NULL;
        """;

    // Floor control across nodes (was part of global version 4). SQLite records the version with nothing to do.
    private const string V2Sqlite = "SELECT 1;";

    private const string V2Postgres =
        """
        -- Floor control across nodes: the row lock serializes presses of an office; epoch only grows.
        CREATE TABLE office_floors (
            office text PRIMARY KEY,
            epoch bigint NOT NULL,
            session_id text NULL,
            speaker_node text NULL,
            speaker_connection text NULL,
            speaker_user_id text NULL,
            speaker_name text NULL,
            speaker_app_type text NULL,
            speaker_role text NULL,
            granted_at bigint NULL,
            lease_until bigint NULL
        );
        CREATE INDEX ix_office_floors_node ON office_floors (speaker_node) WHERE session_id IS NOT NULL;
        CREATE INDEX ix_ptt_participants_connection ON ptt_participants (connection_id) WHERE left_at IS NULL;
        """;

    // The speaker is no participant row, so its ptt.report (token and join latency: the speaker fetches a token and
    // joins the media channel too) had nowhere to go. The session row keeps the speaker's connection, to match the
    // report's sender, and its two figures. Sessions written before this have no speaker connection and no figures.
    private const string V3Common =
        """
        ALTER TABLE ptt_sessions ADD COLUMN speaker_connection_id text NULL;
        ALTER TABLE ptt_sessions ADD COLUMN speaker_token_ms double precision NULL;
        ALTER TABLE ptt_sessions ADD COLUMN speaker_join_ms double precision NULL;
        """;
}
