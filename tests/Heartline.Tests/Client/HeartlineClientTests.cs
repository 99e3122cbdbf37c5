using System.Text.Json;
using Heartline.Client;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Client;

public sealed class HeartlineClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ConnectAsync_ValidToken_RaisesConnectedAndAnswersRequests()
    {
        var connected = new EventQueue<ConnectedEventArgs>();
        await using var client = new HeartlineClient(ClientKit.Options(_server, "u1"));
        client.Connected += connected.Handler;

        await client.ConnectAsync().WaitAsync(Timeout);
        var ping = await client.RequestAsync("ping").WaitAsync(Timeout);

        var e = await connected.NextAsync();
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
        Assert.False(e.IsReconnect);
        Assert.Equal("u1", e.User.UserId);
        Assert.Equal("r1_o1", e.User.Office);
        Assert.Equal("test-node", e.NodeId);
        Assert.Equal(client.ConnectionId, e.ConnectionId);
        Assert.True(ping.GetProperty("server_time").GetInt64() > 0);
    }

    [Fact]
    public async Task RequestAsync_ErrorReply_ThrowsHeartlineExceptionWithCode()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));

        var unknown = await Assert.ThrowsAsync<HeartlineException>(() => client.RequestAsync("no_such_command").WaitAsync(Timeout));
        var forbidden = await Assert.ThrowsAsync<HeartlineException>(
            () => client.SubscribeAsync("office:r1_o2").WaitAsync(Timeout));

        Assert.Equal("unknown_command", unknown.Code);
        Assert.Equal("forbidden", forbidden.Code);
        Assert.Null(forbidden.RetryAfter);
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task RequestAsync_WithObjectArgs_SendsSnakeCaseJson()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));

        var presence = await client.RequestAsync("presence", new PresenceQuery("r1_o1")).WaitAsync(Timeout);
        var viaElement = await client.RequestAsync("presence", JsonSerializer.SerializeToElement(new { office = "r1_o1" })).WaitAsync(Timeout);

        Assert.Equal("r1_o1", presence.GetProperty("office").GetString());
        Assert.Contains(presence.GetProperty("users").EnumerateArray(), u => u.GetProperty("user_id").GetString() == "u1");
        Assert.Equal("r1_o1", viaElement.GetProperty("office").GetString());
    }

    private sealed record PresenceQuery(string Office);

    [Fact]
    public async Task RequestAsync_BeforeConnect_FailsFastWithNotConnected()
    {
        await using var client = new HeartlineClient(ClientKit.Options(_server, "u1"));

        var ex = await Assert.ThrowsAsync<HeartlineException>(() => client.RequestAsync("ping"));

        Assert.Equal(HeartlineException.NotConnected, ex.Code);
        Assert.Equal(HeartlineConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task ConnectAsync_ForgedToken_ThrowsUnauthorizedAndStaysDisconnected()
    {
        var calls = 0;
        await using var client = new HeartlineClient(ClientKit.Options(_server, "u1", tokenProvider: _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult("not-a-token");
        }));

        var ex = await Assert.ThrowsAsync<HeartlineException>(() => client.ConnectAsync().WaitAsync(Timeout));

        Assert.Equal("unauthorized", ex.Code);
        Assert.Equal(HeartlineConnectionState.Disconnected, client.State);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ConnectAsync_ExpiredToken_ThrowsTokenExpired()
    {
        var options = ClientKit.Options(_server, "u1",
            tokenProvider: _ => ValueTask.FromResult(_server.Token("u1", lifetime: TimeSpan.FromMinutes(-5))));
        await using var client = new HeartlineClient(options);

        var ex = await Assert.ThrowsAsync<HeartlineException>(() => client.ConnectAsync().WaitAsync(Timeout));

        Assert.Equal("token_expired", ex.Code);
    }

    [Fact]
    public async Task DisposeAsync_WhileConnected_RaisesDisconnectedWithoutReconnect()
    {
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        client.Disconnected += disconnected.Handler;

        await client.DisposeAsync().AsTask().WaitAsync(Timeout);

        var e = await disconnected.NextAsync();
        Assert.Equal(1000, e.CloseCode);
        Assert.False(e.WillReconnect);
        Assert.Equal(HeartlineConnectionState.Closed, client.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RequestAsync("ping"));
    }
}
