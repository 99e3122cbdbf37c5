namespace Heartline.Core.Storage;

/// <summary>
/// Migrates the schema when the host starts. Registered as the first hosted service, so the schema is current before
/// any other service (or the web server) starts; a failure stops the host from starting.
/// </summary>
internal sealed class StorageMigrator(IHeartlineDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
