using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Ptt;

/// <summary>
/// A PTT test class with its own real server on loopback, on the database a subclass chooses, with a manual clock
/// (leases never lapse and every session falls on the clock's day unless a test advances it). After the tests it
/// asserts that nothing was logged at Error.
/// </summary>
public abstract class PttServerTest : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<WsClient> _clients = [];

    protected LogRecorder Logs { get; } = new();

    private protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    private protected HeartlineServer Server { get; private set; } = null!;

    /// <summary>Extra settings for the server (the database of a subclass).</summary>
    protected virtual Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync() =>
        Server = await HeartlineServer.StartAsync(await SettingsAsync(), services: s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton<ILoggerProvider>(Logs);
        }).WaitAsync(Timeout);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        // Stopping waits on the (manual) clock while connections remain: let them go first.
        var registry = Server.Services.GetRequiredService<ConnectionRegistry>();
        await Eventually.TrueAsync(() => registry.Count == 0, "connections closed");
        await Server.DisposeAsync();
        await CleanUpAsync().WaitAsync(Timeout);
        Assert.Empty(Logs.Errors);
    }

    /// <summary>A member connected and subscribed to its office's PTT channel; disposed with the test.</summary>
    private protected async Task<WsClient> MemberAsync(string userId, string office = "o1")
    {
        var client = await Server.MemberAsync(userId, office: office).WaitAsync(Timeout);
        _clients.Add(client);
        return client;
    }

    private protected HttpClient Http(string userId, string role = Roles.PickupDriver, string office = "o1") =>
        Server.CreateHttpClient(Server.Token(userId, office, role));

    private protected static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path).WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
    }
}
