using System.Data.Common;
using Dapper;

namespace Heartline.Core.Storage;

/// <summary>
/// Applies the core's and every module's schema steps (<see cref="Migration"/>), the core's first, then each module's
/// in registration order, each step once, all in one transaction with its <c>schema_migrations</c> rows. A database of
/// a build that numbered steps globally (<c>schema_version</c>, up to ea7b6c9) is taken over in place: every step that
/// names a <see cref="Migration.LegacyVersion"/> it recorded counts as applied, and a marker row there keeps such an
/// older build from starting on the upgraded schema.
/// </summary>
internal sealed class SchemaMigrations(IEnumerable<ModuleMigrations> registered)
{
    /// <summary>Key of the transaction-scoped advisory lock that serializes nodes migrating one PostgreSQL database.</summary>
    private const long PostgresLockKey = 0x484C_4D49_4752_4154; // "HLMIGRAT"

    /// <summary>The <c>schema_version</c> row that tells a build of the global numbering that the schema moved on.</summary>
    internal const int LegacyMarkerVersion = 1_000;

    /// <summary>The registered steps: the core's first, then the modules' in registration order.</summary>
    public IReadOnlyList<ModuleMigrations> Modules { get; } = Order(registered);

    private static List<ModuleMigrations> Order(IEnumerable<ModuleMigrations> registered)
    {
        var byModule = new List<ModuleMigrations>();
        foreach (var group in registered.GroupBy(m => m.Module, StringComparer.Ordinal))
        {
            var steps = group.SelectMany(m => m.Migrations).OrderBy(m => m.Version).ToList();
            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i].Version != i + 1)
                    throw new InvalidOperationException($"Migrations of module '{group.Key}' must be numbered 1, 2, 3… without gaps or repeats.");
            }
            byModule.Add(new ModuleMigrations(group.Key, steps));
        }
        return [.. byModule.OrderBy(m => m.Module == Heartline.Core.Modules.HeartlineHostExtensions.CoreModule ? 0 : 1)];
    }

    /// <summary>Brings every registered module to its newest step inside <paramref name="transaction"/>.</summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer Heartline.</exception>
    public async Task ApplyAsync(DbConnection connection, DbTransaction transaction, string provider, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (provider == StorageProviders.Postgres)
        {
            // Nodes starting together queue here; the loser then sees the winner's versions and has nothing to do.
            await Execute(connection, transaction, "SELECT pg_advisory_xact_lock(@Key)", new { Key = PostgresLockKey }, cancellationToken)
                .ConfigureAwait(false);
        }
        await Execute(connection, transaction,
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                module text NOT NULL,
                version integer NOT NULL,
                description text NOT NULL,
                applied_at bigint NOT NULL,
                PRIMARY KEY (module, version)
            )
            """, null, cancellationToken).ConfigureAwait(false);
        await TakeOverLegacyAsync(connection, transaction, provider, time, logger, cancellationToken).ConfigureAwait(false);

        var applied = (await connection.QueryAsync<(string Module, int Version)>(new CommandDefinition(
            "SELECT module, version FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToHashSet();
        foreach (var module in Modules)
        {
            var newest = applied.Where(a => a.Module == module.Module).Select(a => a.Version).DefaultIfEmpty(0).Max();
            if (newest > module.Migrations.Count)
            {
                throw new InvalidOperationException(
                    $"The database has step {newest} of module '{module.Module}', newer than step {module.Migrations.Count} that this " +
                    "Heartline build knows. Run a build at least as new as the one that migrated it, or point Storage:ConnectionString " +
                    "at another database.");
            }
        }
        var ran = 0;
        foreach (var module in Modules)
        {
            foreach (var migration in module.Migrations.Where(m => !applied.Contains((module.Module, m.Version))))
            {
                await Execute(connection, transaction, provider == StorageProviders.Postgres ? migration.Postgres : migration.Sqlite, null,
                    cancellationToken).ConfigureAwait(false);
                await Record(connection, transaction, module.Module, migration, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)
                    .ConfigureAwait(false);
                StorageLog.MigrationApplied(logger, module.Module, migration.Version, migration.Description);
                ran++;
            }
        }
        if (ran == 0) StorageLog.SchemaCurrent(logger);
    }

    /// <summary>Counts the steps a globally numbered database recorded, once, and marks it as moved on.</summary>
    private async Task TakeOverLegacyAsync(DbConnection connection, DbTransaction transaction, string provider, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(provider == StorageProviders.Postgres
                ? "SELECT to_regclass('schema_version') IS NOT NULL"
                : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!exists) return;
        var legacy = (await connection.QueryAsync<(int Version, long AppliedAt)>(new CommandDefinition(
            "SELECT version, applied_at FROM schema_version", transaction: transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToDictionary(v => v.Version, v => v.AppliedAt);
        if (legacy.ContainsKey(LegacyMarkerVersion)) return;
        var taken = 0;
        foreach (var module in Modules)
        {
            foreach (var migration in module.Migrations)
            {
                if (migration.LegacyVersion is not { } version || !legacy.TryGetValue(version, out var appliedAt)) continue;
                await Record(connection, transaction, module.Module, migration, appliedAt, cancellationToken).ConfigureAwait(false);
                taken++;
            }
        }
        await Execute(connection, transaction,
            "INSERT INTO schema_version (version, description, applied_at) VALUES (@Version, @Description, @At)",
            new
            {
                Version = LegacyMarkerVersion,
                Description = "schema steps are kept per module in schema_migrations from here on",
                At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, cancellationToken).ConfigureAwait(false);
        StorageLog.LegacyTakenOver(logger, legacy.Count, taken);
    }

    private static Task<int> Record(DbConnection connection, DbTransaction transaction, string module, Migration migration, long appliedAt,
        CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            """
            INSERT INTO schema_migrations (module, version, description, applied_at)
            VALUES (@Module, @Version, @Description, @AppliedAt)
            """, new { Module = module, migration.Version, migration.Description, AppliedAt = appliedAt }, cancellationToken);

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object? parameters,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
