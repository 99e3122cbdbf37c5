using Dapper;

namespace Heartline.Core.Storage;

/// <summary>The provider-independent steps on <see cref="IHeartlineDatabase"/>: migrating and pinging.</summary>
internal static class DatabaseSteps
{
    /// <summary>Creates or upgrades the schema to the newest step of every registered module, in one transaction.</summary>
    public static Task MigrateAsync(IHeartlineDatabase database, SchemaMigrations migrations, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await migrations.ApplyAsync(connection, transaction, database.Provider, time, logger, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <param name="isDatabaseFault">The provider's own "database unreachable" exceptions, answered false rather than thrown.</param>
    public static async Task<bool> PingAsync(IHeartlineDatabase database, Func<Exception, bool> isDatabaseFault, ILogger logger,
        CancellationToken cancellationToken)
    {
        try
        {
            return await database.ReadAsync(
                c => c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)),
                cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (isDatabaseFault(ex) || ex is TimeoutException or ObjectDisposedException)
        {
            StorageLog.PingFailed(logger, ex);
            return false;
        }
    }
}
