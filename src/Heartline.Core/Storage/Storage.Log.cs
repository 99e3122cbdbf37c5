namespace Heartline.Core.Storage;

internal static partial class StorageLog
{
    [LoggerMessage(2001, LogLevel.Information, "Applied schema migration {Version}: {Description}.")]
    public static partial void MigrationApplied(ILogger logger, int version, string description);

    [LoggerMessage(2002, LogLevel.Debug, "Database schema is at version {Version}; nothing to migrate.")]
    public static partial void SchemaCurrent(ILogger logger, int version);

    [LoggerMessage(2003, LogLevel.Information, "Opened SQLite database {DataSource} (journal mode {JournalMode}).")]
    public static partial void SqliteOpened(ILogger logger, string dataSource, string journalMode);

    [LoggerMessage(2004, LogLevel.Warning, "Database ping failed.")]
    public static partial void PingFailed(ILogger logger, Exception exception);
}
