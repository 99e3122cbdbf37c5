namespace Heartline.Core.Storage;

/// <summary>
/// Migrates the schema as the host starts, before any hosted service starts (a lifecycle service's
/// <see cref="StartingAsync"/> runs ahead of every <c>StartAsync</c>, whatever the registration order), so the
/// schema is current before anything touches the database; a failure stops the host from starting.
/// </summary>
internal sealed class StorageMigrator(IHeartlineDatabase database, SchemaMigrations migrations, TimeProvider time,
    ILogger<StorageMigrator> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) =>
        DatabaseSteps.MigrateAsync(database, migrations, time, logger, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
