using Heartline.Client;

namespace Heartline.Tests.Client;

/// <summary>The client's own clocks, against a server that accepts <c>connect</c> and then stays silent.</summary>
public sealed class HeartlineClientTimeoutTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;
    private SilentServer _server = null!;

    public async Task InitializeAsync() => _server = await SilentServer.StartAsync(pingIntervalMs: 100);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HeartlineClientOptions Options(TimeSpan requestTimeout, TimeSpan? pingInterval) => new()
    {
        Uri = _server.WebSocketUri,
        TokenProvider = _ => ValueTask.FromResult("any"),
        RequestTimeout = requestTimeout,
        PingInterval = pingInterval,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task RequestAsync_NoReply_ThrowsTimeoutExceptionAfterRequestTimeout()
    {
        await using var client = await ClientKit.ConnectAsync(Options(TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(5)));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => client.RequestAsync("publish", new { channel = "office:r1_o1", data = 1 }).WaitAsync(Timeout));

        Assert.Contains("publish", ex.Message);
        Assert.Equal("publish", (await _server.NextCommandAsync()).GetProperty("cmd").GetString());
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task IdleConnection_SendsPingAtTheServersInterval()
    {
        // PingInterval unset: the client uses ping_interval_ms (100 ms) from the connect reply.
        await using var client = await ClientKit.ConnectAsync(Options(TimeSpan.FromSeconds(30), pingInterval: null));

        var command = await _server.NextCommandAsync();

        Assert.Equal("ping", command.GetProperty("cmd").GetString());
    }

    [Fact]
    public async Task UnansweredPing_DropsTheConnectionAndReconnects()
    {
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        var connected = new EventQueue<ConnectedEventArgs>();
        await using var client = await ClientKit.ConnectAsync(Options(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)));
        client.Disconnected += disconnected.Handler;
        client.Connected += connected.Handler;

        var drop = await disconnected.NextAsync();
        var again = await connected.NextAsync();

        Assert.Equal(1006, drop.CloseCode);
        Assert.True(drop.WillReconnect);
        Assert.True(again.IsReconnect);
        Assert.True(_server.Connections >= 2);
    }
}
