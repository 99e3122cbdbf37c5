using System.Diagnostics.Metrics;
using Heartline.Core.Events;
using Heartline.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Storage;

public sealed class StorageRegistrationTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "heartline-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AddHeartlineStorage_HostStarts_MigratesBeforeOtherServicesAndStoresEvents()
    {
        using var host = BuildHost(new() { ["Storage:ConnectionString"] = $"Data Source={DatabasePath}" },
            services => services.AddHostedService<AppendsOnStart>(), addStorageLast: true);

        await host.StartAsync().WaitAsync(Timeout);
        var events = host.Services.GetRequiredService<IEventLog>();
        var page = await events.QueryAsync(new EventQuery()).WaitAsync(Timeout);
        await host.StopAsync().WaitAsync(Timeout);

        Assert.Equal("host.started", Assert.Single(page.Items).Type);
    }

    [Fact]
    public void AddHeartlineStorage_AfterOtherHostedServices_MigratorAndWritersRunInTheStartingPhase()
    {
        using var host = BuildHost(new() { ["Storage:ConnectionString"] = $"Data Source={DatabasePath}" },
            services => services.AddHostedService<AppendsOnStart>(), addStorageLast: true);

        var hosted = host.Services.GetServices<IHostedService>().ToList();

        // StartingAsync of every lifecycle service runs before any StartAsync: registration order does not matter.
        Assert.IsAssignableFrom<IHostedLifecycleService>(Assert.Single(hosted.OfType<StorageMigrator>()));
        Assert.Same(host.Services.GetRequiredService<IEventLog>(), Assert.Single(hosted.OfType<SqlEventLog>()));
        Assert.IsAssignableFrom<IHostedLifecycleService>(Assert.Single(hosted.OfType<SqlEventLog>()));
        Assert.IsAssignableFrom<IHostedLifecycleService>(Assert.Single(hosted.OfType<BackgroundWriter>()));
    }

    [Fact]
    public void AddHeartlineStorage_CalledTwice_RegistersMigratorAndBothWritersOnce()
    {
        var services = new ServiceCollection();

        services.AddHeartlineStorage();
        services.AddHeartlineStorage();

        Assert.Equal(3, services.Count(d => d.ServiceType == typeof(IHostedService)));
    }

    [Fact]
    public async Task AddHeartlineStorage_PostgresWithoutConnectionString_FailsStartNamingTheSetting()
    {
        using var host = BuildHost(new() { ["Storage:Provider"] = "postgres" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("Storage:ConnectionString", error.Message);
    }

    [Fact]
    public async Task AddHeartlineStorage_UnknownProvider_FailsStart()
    {
        using var host = BuildHost(new() { ["Storage:Provider"] = "mysql" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("Storage:Provider", error.Message);
    }

    [Fact]
    public async Task AddHeartlineStorage_PrivateInMemorySqlite_FailsStart()
    {
        using var host = BuildHost(new() { ["Storage:ConnectionString"] = "Data Source=:memory:" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("Cache=Shared", error.Message);
    }

    [Fact]
    public async Task EventLog_BatchCommitted_RecordsWriteHistogramOnHeartlineMeter()
    {
        using var host = BuildHost(new() { ["Storage:ConnectionString"] = $"Data Source={DatabasePath}" });
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Meter.Name == "Heartline"
                && instrument.Name == "heartline.eventlog.write_ms")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref measurements));
        listener.Start();

        await host.StartAsync().WaitAsync(Timeout);
        await host.Services.GetRequiredService<IEventLog>()
            .AppendAsync(new EventRecord(0, "t", "s", null, null, 1, null)).WaitAsync(Timeout);
        await host.StopAsync().WaitAsync(Timeout);

        Assert.Equal(1, Volatile.Read(ref measurements));
    }

    [Fact]
    public async Task StorageHealthCheck_DatabaseAnswers_IsHealthy()
    {
        using var host = BuildHost(new() { ["Storage:ConnectionString"] = $"Data Source={DatabasePath}" });
        await host.StartAsync().WaitAsync(Timeout);
        var check = ActivatorUtilities.CreateInstance<StorageHealthCheck>(host.Services);

        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("storage", check, HealthStatus.Unhealthy, null),
        }).WaitAsync(Timeout);
        await host.StopAsync().WaitAsync(Timeout);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private string DatabasePath => Path.Combine(_directory, "heartline.db");

    private static IHost BuildHost(
        Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null, bool addStorageLast = false)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetrics();
        if (!addStorageLast)
            builder.Services.AddHeartlineStorage();
        configure?.Invoke(builder.Services);
        if (addStorageLast)
            builder.Services.AddHeartlineStorage();
        return builder.Build();
    }

    /// <summary>A service that needs the schema when it starts: it fails unless the migrator ran first.</summary>
    private sealed class AppendsOnStart(IEventLog events) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            events.AppendAsync(new EventRecord(0, "host.started", "node", null, null, 1, null), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
