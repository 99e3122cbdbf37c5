namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // Connections stop carrying push-to-talk's region and office: a connection keeps its principal's kind, tenant and
    // declared claims (JSON), and the presence scopes it was announced in get a table of their own. Rows written before
    // this keep what they knew: region and office become claims, and their office key ({region}_{office}) the scope
    // they were announced in. Presence events get the scope of their channel, presence:{scope}, so a module's events
    // and the presence of its users stay apart. `role` now holds every role of the principal, separated by spaces.
    private const string V5Common =
        """
        ALTER TABLE connections ADD COLUMN kind text NOT NULL DEFAULT 'user';
        ALTER TABLE connections ADD COLUMN tenant text NULL;
        ALTER TABLE connections ADD COLUMN claims text NULL;
        UPDATE connections SET claims = '{"region":"' || region_id || '","office":"' || office_id || '"}';
        CREATE TABLE connection_scopes (
            connection_id text NOT NULL,
            scope text NOT NULL,
            PRIMARY KEY (connection_id, scope)
        );
        CREATE INDEX ix_connection_scopes_scope ON connection_scopes (scope);
        INSERT INTO connection_scopes (connection_id, scope) SELECT connection_id, region_id || '_' || office_id FROM connections;
        UPDATE events SET scope = 'presence:' || scope WHERE type IN ('USER_ONLINE', 'USER_OFFLINE');
        """;

    private const string V5Sqlite = V5Common +
        """
        ALTER TABLE connections DROP COLUMN region_id;
        ALTER TABLE connections DROP COLUMN office_id;
        """;

    // The cluster's presence table follows: one row per (scope, user) online anywhere.
    private const string V5Postgres = V5Common +
        """
        DROP INDEX IF EXISTS ix_connections_user;
        DROP INDEX IF EXISTS ix_connections_open_office;
        ALTER TABLE connections DROP COLUMN region_id;
        ALTER TABLE connections DROP COLUMN office_id;
        CREATE INDEX ix_connections_user ON connections (user_id);
        CREATE TABLE presence_scope_users (
            scope text NOT NULL,
            user_id text NOT NULL,
            name text NOT NULL,
            role text NOT NULL,
            online_since bigint NOT NULL,
            PRIMARY KEY (scope, user_id)
        );
        INSERT INTO presence_scope_users (scope, user_id, name, role, online_since)
            SELECT office, user_id, name, role, online_since FROM presence_users;
        DROP TABLE presence_users;
        """;

    // A lease per key for the cluster (ILeases): a holder at a fencing epoch that only grows, until a time its holder
    // keeps extending. The row lock serializes the holders' changes.
    private const string V6Postgres =
        """
        CREATE TABLE leases (
            lease_key text PRIMARY KEY,
            epoch bigint NOT NULL,
            holder_node text NULL,
            holder_connection text NULL,
            holder_user text NULL,
            granted_at bigint NULL,
            lease_until bigint NULL,
            data text NULL
        );
        CREATE INDEX ix_leases_holder_node ON leases (holder_node) WHERE holder_node IS NOT NULL;
        """;
}
