namespace Heartline.Core.Storage;

/// <summary>The core's schema: the event log, connections and their disconnect actions, the cluster's tables.</summary>
internal static partial class CoreMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "events, connections and disconnect actions", V1Sqlite, V1Postgres) { LegacyVersion = 1 },
        new(2, "cluster: nodes, bus, cluster presence", V2Sqlite, V2Postgres) { LegacyVersion = 4 },
        new(3, "events: (scope, id) index for paging a scope's events either way", V3Common, V3Common) { LegacyVersion = 5 },
        new(4, "index of ended connections for the retention purge", V4Common, V4Common) { LegacyVersion = 7 },
        new(5, "connections carry their principal's kind, tenant, claims and presence scopes; presence by scope", V5Sqlite, V5Postgres),
        new(6, "cluster: keyed leases", "SELECT 1;", V6Postgres),
        new(7, "index of open connections by user (is a user connected anywhere)", V7Common, V7Common),
        new(8, "events: (session_id, id) index for a session's events", V8Common, V8Common),
        new(9, "accounts and their refresh tokens", V9Common, V9Common),
        new(10, "accounts: one-time codes to set a password (invitations, resets)", V10Common, V10Common),
        new(11, "groups of accounts (offices, agencies) with their names and time zones", V11Common, V11Common),
    ];
}
