using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The database chosen by the <c>Storage</c> section, the schema migrator, the event log, the background writer
    /// and the connection store. The migrator runs before any hosted service starts and the two writers start right
    /// after it and drain after every other service stopped (lifecycle phases, not registration order). An
    /// <see cref="EventLogWriteCallback"/> registered later replaces the default, which records the
    /// <c>heartline.eventlog.write_ms</c> histogram.
    /// </summary>
    internal static IServiceCollection AddHeartlineStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        if (services.Any(d => d.ServiceType == typeof(StorageMigrator))) return services;
        // The core's own schema; modules add theirs (HeartlineModule.AddMigrations).
        services.AddSingleton(new ModuleMigrations(Modules.HeartlineHostExtensions.CoreModule, CoreMigrations.All));
        services.TryAddSingleton<IHeartlineDatabase>(sp =>
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProviders.Postgres
                ? ActivatorUtilities.CreateInstance<PostgresDatabase>(sp)
                : ActivatorUtilities.CreateInstance<SqliteDatabase>(sp));
        services.TryAddSingleton<SchemaMigrations>();
        services.TryAddSingleton<IConnectionStore, SqlConnectionStore>();

        services.TryAddSingleton(CreateWriteHistogram);
        services.TryAddSingleton<SqlEventLog>();
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<SqlEventLog>());
        services.TryAddSingleton<BackgroundWriter>();

        services.AddSingleton<StorageMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageMigrator>());
        services.AddHostedService(sp => sp.GetRequiredService<SqlEventLog>());
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundWriter>());
        return services;
    }

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The meter factory owns the meters it creates and disposes them with the container.")]
    private static EventLogWriteCallback CreateWriteHistogram(IServiceProvider services)
    {
        var meter = services.GetRequiredService<IMeterFactory>().Create("Heartline");
        var histogram = meter.CreateHistogram<double>(
            "heartline.eventlog.write_ms", unit: "ms", description: "Event-log batch commit time.");
        return histogram.Record;
    }
}
