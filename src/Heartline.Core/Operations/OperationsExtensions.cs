using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Heartline.Core.Operations;

internal sealed record StatsResponse(string NodeId, long ServerTime, double UptimeSeconds, int Channels, long ManagedMemoryBytes,
    long WorkingSetBytes, MetricsSnapshot Metrics, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Modules = null);

/// <summary>Carries the start-up check of the OpenTelemetry settings (read from configuration when services are added).</summary>
internal sealed class OtlpSettings;

internal static class OperationsExtensions
{
    /// <summary>
    /// Metrics, health checks, the OpenAPI document and, when <c>OpenTelemetry:OtlpEndpoint</c> is set, OpenTelemetry
    /// (hosted by OpenTelemetry.Extensions.Hosting): the core's and modules' meters with ASP.NET Core's, and traces of
    /// HTTP requests, outgoing HTTP and Npgsql commands, exported over OTLP. Without an endpoint nothing is collected.
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddCrossOrigin();
        services.TryAddSingleton<HeartlineMetrics>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        services.AddOpenApi();
        // Every error is a problem document with a stable code (docs/protocol.md 6): those the endpoints write carry
        // theirs; an unhandled exception (500) and a bodiless status (404 of an unknown path, 405) get one here.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var extensions = context.ProblemDetails.Extensions;
            if (!extensions.ContainsKey("code")) extensions["code"] = HttpProblems.CodeFor(context.ProblemDetails.Status ?? 500).Name;
        });
        var endpoint = configuration["OpenTelemetry:OtlpEndpoint"];
        if (!string.IsNullOrEmpty(endpoint))
        {
            // gRPC (the default) takes the collector's address; HTTP/protobuf a URL per signal under it.
            var protocol = configuration["OpenTelemetry:OtlpProtocol"];
            services.AddOptions<OtlpSettings>().Validate(_ => protocol is null or "" or "grpc" or "http/protobuf",
                $"OpenTelemetry:OtlpProtocol = '{protocol}': must be grpc (the default) or http/protobuf.").ValidateOnStart();
            var http = protocol == "http/protobuf";
            var root = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/");
            void Exporter(OtlpExporterOptions o, string signal)
            {
                o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                o.Endpoint = http ? new Uri(root, "v1/" + signal) : new Uri(endpoint);
            }
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("heartline"))
                .WithMetrics(metrics => metrics
                    .AddMeter(HeartlineMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddOtlpExporter(o => Exporter(o, "metrics")))
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddOtlpExporter(o => Exporter(o, "traces")));
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

    private static async Task<StatsResponse> GetStats(HeartlineMetrics metrics, ChannelHub hub, TimeProvider time,
        IOptions<PresenceOptions> presence, IEnumerable<IModuleStats> moduleStats, CancellationToken cancellationToken)
    {
        Dictionary<string, System.Text.Json.JsonElement>? modules = null;
        foreach (var module in moduleStats)
            (modules ??= new(StringComparer.Ordinal))[module.Name] = await module.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var now = time.GetUtcNow();
        return new StatsResponse(presence.Value.NodeId, now.ToUnixTimeMilliseconds(),
            (now - process.StartTime.ToUniversalTime()).TotalSeconds, hub.ChannelCount, GC.GetTotalMemory(false),
            process.WorkingSet64, metrics.Snapshot(), modules);
    }
}
