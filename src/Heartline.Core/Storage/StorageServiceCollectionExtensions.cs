using System.Diagnostics.Metrics;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The database chosen by the <c>Storage</c> section, its migrator, the event log and the connection store.
    /// Services registered before this call win (TryAdd). An <see cref="EventLogWriteCallback"/> registered later
    /// replaces the default, which records the <c>heartline.eventlog.write_ms</c> histogram.
    /// </summary>
    internal static IServiceCollection AddHeartlineStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHeartlineDatabase>(sp =>
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProviders.Postgres
                ? ActivatorUtilities.CreateInstance<PostgresDatabase>(sp)
                : ActivatorUtilities.CreateInstance<SqliteDatabase>(sp));
        services.TryAddSingleton<IConnectionStore, SqlConnectionStore>();

        services.TryAddSingleton(CreateWriteHistogram);
        services.TryAddSingleton<SqlEventLog>();
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<SqlEventLog>());
        services.TryAddSingleton<BackgroundWriter>();

        // Hosted services start in registration order and stop in reverse: the migrator goes first so the schema is
        // ready before anything (the web server included) starts, and the writers next so that they run before any
        // startup work that writes (cleanup after a crash) and stop last, committing what the others queued while
        // stopping.
        if (!services.Any(d => d.ServiceType == typeof(StorageMigrator)))
        {
            services.AddSingleton<StorageMigrator>();
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<StorageMigrator>()));
            services.Insert(1, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<SqlEventLog>()));
            services.Insert(2, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<BackgroundWriter>()));
        }
        return services;
    }

    private static EventLogWriteCallback CreateWriteHistogram(IServiceProvider services)
    {
        // The meter factory owns the meter; without one (a bare container) the meter lives as long as the process.
        var meter = services.GetService<IMeterFactory>()?.Create("Heartline") ?? new Meter("Heartline");
        var histogram = meter.CreateHistogram<double>(
            "heartline.eventlog.write_ms", unit: "ms", description: "Event-log batch commit time.");
        return histogram.Record;
    }
}
