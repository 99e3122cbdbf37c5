namespace Heartline.Core.Storage;

/// <summary>
/// One schema step of the core or a module, with its DDL for each provider. A module's steps are numbered 1, 2, 3…
/// and applied once each, in order, in the transaction that records them (<c>schema_migrations</c>, keyed by module and
/// version), so a crash mid-migration leaves the previous version intact. Append new steps; never edit a released one.
/// </summary>
/// <param name="Sqlite">The statements for SQLite (<c>SELECT 1;</c> when there is nothing to do there).</param>
/// <param name="Postgres">The statements for PostgreSQL.</param>
public sealed record Migration(int Version, string Description, string Sqlite, string Postgres)
{
    /// <summary>
    /// The global version this step had before migrations were kept per module (Heartline up to ea7b6c9 numbered them
    /// 1–7 in one list): a database migrated by such a build counts this step as applied.
    /// </summary>
    public int? LegacyVersion { get; init; }
}

/// <summary>One module's steps, as registered.</summary>
internal sealed record ModuleMigrations(string Module, IReadOnlyList<Migration> Migrations);
