using System.Collections.Concurrent;
using System.Text;
using Heartline.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Integration;

/// <summary>With <c>OpenTelemetry:OtlpEndpoint</c> set, traces and metrics reach an OTLP collector (here a stub on loopback).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task OtlpEndpoint_Set_ExportsTracesOfHttpRequestsAndTheMetersOfTheCoreAndModules()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        collectorBuilder.Logging.ClearProviders();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTelemetry:OtlpEndpoint"] = address,
            ["OpenTelemetry:OtlpProtocol"] = "http/protobuf",
        });
        using (var http = server.CreateHttpClient()) (await http.GetAsync("/health")).EnsureSuccessStatusCode();
        await using (var client = await server.ConnectAsync("u1")) (await client.RequestAsync("ping")).AssertOk();
        // Stopping flushes what is batched.
        await server.DisposeAsync();

        var traces = received.Where(r => r.Path == "/v1/traces").Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        var metrics = received.Where(r => r.Path == "/v1/metrics").Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        Assert.Contains(traces, t => t.Contains("heartline", StringComparison.Ordinal) && t.Contains("/health", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.Contains("heartline.connections.total", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.Contains("http.server.request.duration", StringComparison.Ordinal));
    }
}
