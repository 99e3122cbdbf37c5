namespace Heartline.Core.Storage;

internal static partial class Migrations
{
    // One DDL for both engines: text, bigint Unix ms and double precision mean the same on each.
    private const string V3Common =
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
}
