using Heartline.Core.Storage;

namespace Heartline.Ptt;

/// <summary>The push-to-talk module's schema.</summary>
internal static partial class PttMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "push-to-talk sessions and participants", V1Common, V1Common) { LegacyVersion = 3 },
        new(2, "cluster: office floors", V2Sqlite, V2Postgres) { LegacyVersion = 4 },
        new(3, "the speaker's connection and reported latencies", V3Common, V3Common) { LegacyVersion = 6 },
        new(4, "cluster: office floors become the core's leases", "SELECT 1;", V4Postgres),
        new(5, "KPI state per office (a breach is alerted once, then its recovery)", V5Common, V5Common),
        new(6, "reports per office and day, week or month", V6Common, V6Common),
        new(7, "audio frames relayed per session and sent to each listener", V7Common, V7Common),
        new(8, "recordings of transmissions (Ogg Opus)", V8Sqlite, V8Postgres),
        new(9, "emergencies raised by members and their acknowledgement", V9Common, V9Common),
        new(10, "members who listened from a session's start: in its SESSION_STARTED, not a USER_JOINED each", V10Sqlite, V10Postgres),
    ];

    // A press wrote a USER_JOINED event (metadata.auto = "true") per member that listened from the start: 500 rows per
    // press in a large office. Their user ids move into the session's SESSION_STARTED (metadata.listeners, a JSON array
    // in the string, in join order) and the rows go; joins and leaves during a session stay events.
    private const string V10Sqlite =
        """
        UPDATE events SET metadata = json_set(COALESCE(metadata, '{}'), '$.listeners',
            '' || (SELECT json_group_array(user_id) FROM (SELECT j.user_id FROM events j
                   WHERE j.type = 'USER_JOINED' AND j.session_id = events.session_id AND json_extract(j.metadata, '$.auto') = 'true'
                   ORDER BY j.id)))
        WHERE type = 'SESSION_STARTED' AND EXISTS (SELECT 1 FROM events j
            WHERE j.type = 'USER_JOINED' AND j.session_id = events.session_id AND json_extract(j.metadata, '$.auto') = 'true');
        DELETE FROM events WHERE type = 'USER_JOINED' AND json_extract(metadata, '$.auto') = 'true';
        """;

    private const string V10Postgres =
        """
        CREATE TEMPORARY TABLE ptt_auto_joined ON COMMIT DROP AS
            SELECT id, session_id, user_id FROM events
            WHERE type = 'USER_JOINED' AND (CASE WHEN type = 'USER_JOINED' THEN metadata::jsonb ->> 'auto' END) = 'true';
        UPDATE events s SET metadata = (COALESCE(s.metadata, '{}')::jsonb || jsonb_build_object('listeners',
            (SELECT json_agg(a.user_id ORDER BY a.id)::text FROM ptt_auto_joined a WHERE a.session_id = s.session_id)))::text
        WHERE s.type = 'SESSION_STARTED' AND s.session_id IN (SELECT session_id FROM ptt_auto_joined);
        DELETE FROM events WHERE id IN (SELECT id FROM ptt_auto_joined);
        """;

    // An emergency stays open until a call manager acknowledges it; the row decides who did (once).
    private const string V9Common =
        """
        CREATE TABLE ptt_emergencies (
            emergency_id text PRIMARY KEY,
            office text NOT NULL,
            user_id text NOT NULL,
            name text NOT NULL,
            raised_at bigint NOT NULL,
            ended_session_id text NULL,
            acknowledged_at bigint NULL,
            acknowledged_by text NULL,
            acknowledged_name text NULL
        );
        CREATE INDEX ix_ptt_emergencies_office ON ptt_emergencies (office, raised_at);
        CREATE INDEX ix_ptt_emergencies_user ON ptt_emergencies (user_id, raised_at);
        """;

    // Each transmission through the relay, as Ogg Opus, in the database: every node of a cluster serves it, and the
    // retention sweeper keeps it bounded (Ptt:Recordings).
    private const string V8Columns =
        """
            session_id text PRIMARY KEY,
            office text NOT NULL,
            speaker_user_id text NOT NULL,
            speaker_name text NOT NULL,
            started_at bigint NOT NULL,
            duration_ms bigint NOT NULL,
            frames bigint NOT NULL,
            bytes bigint NOT NULL,
        """;

    private const string V8Sqlite = "CREATE TABLE ptt_recordings (" + V8Columns + " audio blob NOT NULL); CREATE INDEX ix_ptt_recordings_office ON ptt_recordings (office, started_at);";

    private const string V8Postgres = "CREATE TABLE ptt_recordings (" + V8Columns + " audio bytea NOT NULL); CREATE INDEX ix_ptt_recordings_office ON ptt_recordings (office, started_at);";

    // The drill-down's "did driver X hear it?": frames the speaker's node relayed, and frames each listener was sent
    // (relayed while it listened, but those its send queue dropped). Null for sessions before this version.
    private const string V7Common =
        """
        ALTER TABLE ptt_sessions ADD COLUMN frames_relayed bigint NULL;
        ALTER TABLE ptt_participants ADD COLUMN frames_heard bigint NULL;
        """;

    // One row per office and period ({office}|{day|week|month}|{first day}): a node inserts it once the period is over in
    // the office's time zone; another node's insert of the same period does nothing. The figures are JSON.
    private const string V6Common =
        """
        CREATE TABLE ptt_reports (
            report_id text PRIMARY KEY,
            office text NOT NULL,
            period text NOT NULL,
            period_start text NOT NULL,
            period_end text NOT NULL,
            time_zone text NOT NULL,
            generated_at bigint NOT NULL,
            data text NOT NULL
        );
        CREATE INDEX ix_ptt_reports_office ON ptt_reports (office, period_start);
        CREATE INDEX ix_ptt_reports_generated ON ptt_reports (generated_at);
        """;

    // One row per office and KPI once it was judged: the node whose update changes `breached` raises the alert.
    private const string V5Common =
        """
        CREATE TABLE ptt_kpi_state (
            office text NOT NULL,
            kpi text NOT NULL,
            breached integer NOT NULL,
            value double precision NULL,
            changed_at bigint NOT NULL,
            PRIMARY KEY (office, kpi)
        );
        """;

    // The floor of an office is the lease ptt.floor:{office}; its data holds what the floor row held of the speaker.
    // Epochs carry over, so fencing keeps growing across the upgrade.
    private const string V4Postgres =
        """
        INSERT INTO leases (lease_key, epoch, holder_node, holder_connection, holder_user, granted_at, lease_until, data)
        SELECT 'ptt.floor:' || office, epoch, speaker_node, speaker_connection, speaker_user_id, granted_at, lease_until,
               CASE WHEN session_id IS NULL THEN NULL ELSE json_build_object('session_id', session_id, 'name', speaker_name,
                   'app_type', speaker_app_type, 'role', speaker_role)::text END
        FROM office_floors;
        DROP TABLE office_floors;
        """;
}
