using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Integration;

/// <summary><c>refresh</c>: a fresh token for the same principal extends the open connection; nothing else does.</summary>
public sealed class RefreshTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await HeartlineServer.StartAsync(services: s => s.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Refresh_WithTheSamePrincipal_OutlivesTheFirstToken_OthersAreRefused()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        (await client.RequestAsync("connect", new { token = _server.Token("u1", lifetime: TimeSpan.FromMinutes(2)) })).AssertOk();

        Assert.Equal("bad_request", (await client.RequestAsync("refresh", new { token = _server.Token("u2", lifetime: TimeSpan.FromHours(1)) })).ErrorCode);
        Assert.Equal("bad_request", (await client.RequestAsync("refresh", new { token = _server.Token("u1", office: "o2", lifetime: TimeSpan.FromHours(1)) })).ErrorCode);
        Assert.Equal("unauthorized", (await client.RequestAsync("refresh", new { token = "not-a-token" })).ErrorCode);
        var fresh = _server.Token("u1", lifetime: TimeSpan.FromMinutes(10));
        var reply = await client.RequestAsync("refresh", new { token = fresh });
        reply.AssertOk();
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds(), reply.Result.GetProperty("token_expires_at").GetInt64());

        // Past the first token's expiry (and its clock skew): still open.
        _clock.Advance(TimeSpan.FromMinutes(5));
        (await client.RequestAsync("ping")).AssertOk();
        // Past the refreshed token's: closed as expired.
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(4005, await client.WaitClosedAsync(TimeSpan.FromSeconds(10)));
    }
}
