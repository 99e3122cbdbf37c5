namespace Heartline.Core.Storage;

internal static partial class StorageLog
{
    [LoggerMessage(2001, LogLevel.Information, "Applied schema step {Version} of {Module}: {Description}.")]
    public static partial void MigrationApplied(ILogger logger, string module, int version, string description);

    [LoggerMessage(2002, LogLevel.Debug, "The database schema is current; nothing to migrate.")]
    public static partial void SchemaCurrent(ILogger logger);

    [LoggerMessage(2005, LogLevel.Information, "The database was numbered globally ({Versions} versions); {Steps} module steps count as applied from it.")]
    public static partial void LegacyTakenOver(ILogger logger, int versions, int steps);

    [LoggerMessage(2003, LogLevel.Information, "Opened SQLite database {DataSource} (journal mode {JournalMode}).")]
    public static partial void SqliteOpened(ILogger logger, string dataSource, string journalMode);

    [LoggerMessage(2004, LogLevel.Warning, "Database ping failed.")]
    public static partial void PingFailed(ILogger logger, Exception exception);
}
