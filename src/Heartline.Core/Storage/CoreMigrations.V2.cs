namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // Cluster mode (docs/scaling.md) runs only on PostgreSQL (was global version 4, whose office floors are push-to-talk's now). SQLite records the version with nothing to do, so
    // both engines keep one numbering.
    private const string V2Sqlite = "SELECT 1;";

    private const string V2Postgres =
        """
        -- Cluster presence looks up a user's connections on every node, and an office's open connections.
        CREATE INDEX ix_connections_user ON connections (user_id, region_id, office_id);
        CREATE INDEX ix_connections_open_office ON connections ((region_id || '_' || office_id)) WHERE ended_at IS NULL;

        -- One row per node: its heartbeat, and once it is declared lost, who claimed its cleanup and when that ended.
        CREATE TABLE nodes (
            node_id text PRIMARY KEY,
            address text NULL,
            started_at bigint NOT NULL,
            heartbeat_at bigint NOT NULL,
            lost_at bigint NULL,
            lost_by text NULL,
            cleaned_at bigint NULL
        );

        -- The bus: a publish takes the next offset under the head row's lock and inserts the publication in the same
        -- transaction, so offsets of one channel commit in order. Heads are kept (with their epoch) for good.
        CREATE TABLE channel_heads (
            channel text PRIMARY KEY,
            epoch text NOT NULL,
            last_offset bigint NOT NULL,
            updated_at bigint NOT NULL
        );
        CREATE TABLE channel_publications (
            channel text NOT NULL,
            pub_offset bigint NOT NULL,
            time bigint NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (channel, pub_offset)
        );
        CREATE INDEX ix_channel_publications_time ON channel_publications (time);

        -- Users online anywhere in the cluster; a row's insert and delete are the online and offline transitions.
        CREATE TABLE presence_users (
            office text NOT NULL,
            user_id text NOT NULL,
            region_id text NOT NULL,
            office_id text NOT NULL,
            name text NOT NULL,
            role text NOT NULL,
            online_since bigint NOT NULL,
            PRIMARY KEY (office, user_id)
        );
        """;
}
