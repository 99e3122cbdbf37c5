using System.Data.Common;
using Dapper;

namespace Heartline.Core.Storage;

/// <summary>
/// The ordered schema migrations. Each runs once, in the same transaction as its <c>schema_version</c> row, so a
/// crash mid-migration leaves the previous version intact. Append new versions; never edit a released one.
/// </summary>
internal static partial class Migrations
{
    /// <summary>One schema step, with its DDL for each provider.</summary>
    internal sealed record Migration(int Version, string Description, string Sqlite, string Postgres);

    /// <summary>Key of the transaction-scoped advisory lock that serializes nodes migrating one PostgreSQL database.</summary>
    private const long PostgresLockKey = 0x484C_4D49_4752_4154; // "HLMIGRAT"

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "events, connections and disconnect actions", V1Sqlite, V1Postgres),
        new(2, "webinars, sessions, live presence", V2Sqlite, V2Postgres),
        new(3, "push-to-talk sessions and participants", V3Common, V3Common),
        new(4, "cluster: nodes, bus, office floors, cluster presence", V4Sqlite, V4Postgres),
        new(5, "events: (scope, id) index for paging an office's events either way", V5Common, V5Common),
        new(6, "push-to-talk: the speaker's connection and reported latencies", V6Common, V6Common),
        new(7, "index of ended connections for the retention purge", V7Common, V7Common),
    ];

    public static int Latest { get; } = All.Max(m => m.Version);

    /// <summary>Brings the schema to <see cref="Latest"/> inside <paramref name="transaction"/>.</summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer Heartline.</exception>
    public static async Task ApplyAsync(
        DbConnection connection, DbTransaction transaction, string provider, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (provider == StorageProviders.Postgres)
        {
            // Nodes starting together queue here; the loser then sees the winner's versions and has nothing to do.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@Key)", new { Key = PostgresLockKey }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at bigint NOT NULL
            )
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var current = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_version", transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;

        if (current > Latest)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {current}, newer than version {Latest} that this Heartline build " +
                "knows. Run a Heartline build at least as new as the one that migrated it, or point " +
                "Storage:ConnectionString at another database.");
        }

        // Applied versions rather than the maximum: branches may land migrations out of order.
        var applied = (await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM schema_version", transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();
        if (All.All(m => applied.Contains(m.Version)))
        {
            StorageLog.SchemaCurrent(logger, current);
            return;
        }

        foreach (var migration in All.Where(m => !applied.Contains(m.Version)))
        {
            var ddl = provider == StorageProviders.Postgres ? migration.Postgres : migration.Sqlite;
            await connection.ExecuteAsync(new CommandDefinition(
                ddl, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO schema_version (version, description, applied_at)
                VALUES (@Version, @Description, @AppliedAt)
                """,
                new { migration.Version, migration.Description, AppliedAt = time.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            StorageLog.MigrationApplied(logger, migration.Version, migration.Description);
        }
    }
}
