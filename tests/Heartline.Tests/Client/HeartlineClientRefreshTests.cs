using Heartline.Client;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Client;

/// <summary>The .NET client refreshes short tokens on the open socket: the connection outlives them without a reconnect.</summary>
public sealed class HeartlineClientRefreshTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ShortTokens_AreRefreshedOnTheOpenSocket_WhichOutlivesThem()
    {
        var asked = 0;
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1", tokenProvider: _ =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult(_server.Token("u1", lifetime: TimeSpan.FromSeconds(3)));
        }));
        var refreshed = new EventQueue<long>();
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        client.TokenRefreshed += refreshed.Handler;
        client.Disconnected += disconnected.Handler;
        var connectedUntil = DateTimeOffset.UtcNow.AddSeconds(3).ToUnixTimeMilliseconds();

        var first = await refreshed.NextAsync(TimeSpan.FromSeconds(10));
        var second = await refreshed.NextAsync(TimeSpan.FromSeconds(10));

        Assert.True(second > first && first >= connectedUntil - 1000, $"{connectedUntil} → {first} → {second}");
        // Two refreshes can come before the first token's expiry on a busy machine: what is tested is that the socket
        // outlives that token, so wait for the wall clock to pass it (bounded: at most 3 s).
        var untilExpired = DateTimeOffset.FromUnixTimeMilliseconds(connectedUntil + 200) - DateTimeOffset.UtcNow;
        if (untilExpired > TimeSpan.Zero) await Task.Delay(untilExpired);
        Assert.False(disconnected.TryTake(out _), "the socket was never dropped");
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
        Assert.True(Volatile.Read(ref asked) >= 3, "the token provider was asked at connect and for each refresh");
        (await client.RequestAsync("ping")).GetProperty("server_time");
    }
}
