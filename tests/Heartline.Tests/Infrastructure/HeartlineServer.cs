using Heartline.Core.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Heartline.Tests.Infrastructure;

/// <summary>
/// The real server on a loopback port (Kestrel, real sockets) with its own SQLite file, for integration tests.
/// Start a second instance on the same <see cref="DatabasePath"/> to test restarts.
/// </summary>
public sealed class HeartlineServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HeartlineServer(WebApplication app, string databasePath, Uri baseAddress)
    {
        _app = app;
        DatabasePath = databasePath;
        BaseAddress = baseAddress;
    }

    public string DatabasePath { get; }

    public Uri BaseAddress { get; }

    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/ws");

    public IServiceProvider Services => _app.Services;

    /// <param name="modules">Modules the host composes besides its own (a test's sample module).</param>
    public static async Task<HeartlineServer> StartAsync(IDictionary<string, string?>? settings = null, string? databasePath = null,
        Action<IServiceCollection>? services = null, Action<Heartline.Core.Modules.HeartlineBuilder>? modules = null)
    {
        databasePath ??= Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        var args = new List<string>
        {
            "--environment", "Testing",
            "--urls", "http://127.0.0.1:0",
            "--Storage:Provider", "sqlite",
            "--Storage:ConnectionString", $"Data Source={databasePath}",
            "--Presence:NodeId", "test-node",
            "--Logging:LogLevel:Default", "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            args.Add("--" + key);
            args.Add(value ?? "");
        }
        var app = HeartlineHost.Build([.. args], builder => services?.Invoke(builder.Services), modules);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HeartlineServer(app, databasePath, new Uri(address));
    }

    public string Token(string userId, string office = "o1", string role = Roles.PickupDriver, string region = "r1",
        string? name = null, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<TokenIssuer>().Mint(userId, name ?? userId, role, region, office, lifetime ?? TimeSpan.FromHours(1));

    /// <summary>Opens a socket and completes <c>connect</c>.</summary>
    public async Task<WsClient> ConnectAsync(string userId, string office = "o1", string role = Roles.PickupDriver,
        string region = "r1", string? name = null, string? appType = null, string? device = null)
    {
        var client = await WsClient.OpenAsync(WebSocketUri);
        var reply = await client.RequestAsync("connect", new { token = Token(userId, office, role, region, name), app_type = appType, device });
        reply.AssertOk();
        client.ConnectionId = reply.Result.GetProperty("connection_id").GetString();
        return client;
    }

    public HttpClient CreateHttpClient(string? token = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>Stops gracefully (disconnect actions run, the event log flushes).</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (ObjectDisposedException) { }
        await _app.DisposeAsync();
    }
}
