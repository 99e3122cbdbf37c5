namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // Times are bigint Unix milliseconds on both engines so that stores share one set of Dapper SQL.
    // Only the events key differs: AUTOINCREMENT keeps SQLite from reusing the ids of deleted rows, which
    // keyset paging (AfterId) relies on; an identity column gives PostgreSQL the same guarantee.
    private const string V1Sqlite =
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type text NOT NULL,
            scope text NOT NULL,
            session_id text NULL,
            user_id text NULL,
            time bigint NOT NULL,
            metadata text NULL
        );
        """ + V1Common;

    private const string V1Postgres =
        """
        CREATE TABLE events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            type text NOT NULL,
            scope text NOT NULL,
            session_id text NULL,
            user_id text NULL,
            time bigint NOT NULL,
            metadata text NULL
        );
        """ + V1Common;

    private const string V1Common =
        """

        CREATE INDEX ix_events_scope_time ON events (scope, time);
        CREATE INDEX ix_events_type_time ON events (type, time);
        CREATE INDEX ix_events_time ON events (time);

        CREATE TABLE connections (
            connection_id text PRIMARY KEY,
            node_id text NOT NULL,
            user_id text NOT NULL,
            name text NOT NULL,
            role text NOT NULL,
            region_id text NOT NULL,
            office_id text NOT NULL,
            app_type text NOT NULL,
            device text NULL,
            connected_at bigint NOT NULL,
            ended_at bigint NULL,
            end_reason text NULL
        );
        -- Startup cleanup only looks for a node's open connections; ended rows stay out of the index.
        CREATE INDEX ix_connections_open_node ON connections (node_id) WHERE ended_at IS NULL;

        CREATE TABLE disconnect_actions (
            action_id text PRIMARY KEY,
            connection_id text NOT NULL,
            kind text NOT NULL,
            payload text NOT NULL,
            created_at bigint NOT NULL
        );
        CREATE INDEX ix_disconnect_actions_connection ON disconnect_actions (connection_id);
        """;
}
