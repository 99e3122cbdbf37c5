using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Heartline.Core.Operations;

internal sealed record StatsResponse(string NodeId, long ServerTime, double UptimeSeconds, int Channels, long ManagedMemoryBytes,
    long WorkingSetBytes, MetricsSnapshot Metrics);

internal static class OperationsExtensions
{
    /// <summary>Metrics, health checks, the OpenAPI document and (when <c>OpenTelemetry:OtlpEndpoint</c> is set) OTLP export.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.TryAddSingleton<HeartlineMetrics>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        services.AddOpenApi();
        services.AddProblemDetails();
        var endpoint = configuration["OpenTelemetry:OtlpEndpoint"];
        if (!string.IsNullOrEmpty(endpoint))
        {
            var uri = new Uri(endpoint);
            services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
                .AddMeter(HeartlineMetrics.MeterName)
                .AddOtlpExporter(o => o.Endpoint = uri)
                .Build());
            services.AddHostedService<MeterProviderLifetime>();
        }
        return services;
    }

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapOpenApi();
        app.MapGet("/api/admin/stats", GetStats)
            .WithName("GetStats")
            .WithSummary("Counters and gauges of this node (admin only).")
            .RequireAuthorization(AuthServiceCollectionExtensions.AdminPolicy);
        return app;
    }

    private static StatsResponse GetStats(HeartlineMetrics metrics, ChannelHub hub, TimeProvider time,
        IOptions<PresenceOptions> presence)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var now = time.GetUtcNow();
        return new StatsResponse(presence.Value.NodeId, now.ToUnixTimeMilliseconds(),
            (now - process.StartTime.ToUniversalTime()).TotalSeconds, hub.ChannelCount, GC.GetTotalMemory(false),
            process.WorkingSet64, metrics.Snapshot());
    }

    /// <summary>Creates the OTLP meter provider at start and flushes it at stop.</summary>
    private sealed class MeterProviderLifetime(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
