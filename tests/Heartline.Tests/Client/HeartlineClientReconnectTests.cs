using Heartline.Client;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

public sealed class HeartlineClientReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;
    private const string Channel = "office:r1_o1";
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Closes the client's socket from the server side, as the server would for a real reason.</summary>
    private void CloseServerSide(HeartlineClient client, CloseCode code)
    {
        Assert.True(_server.Services.GetRequiredService<ConnectionRegistry>().TryGet(client.ConnectionId!, out var connection));
        connection.Close(code, "test");
    }

    [Fact]
    public async Task ServerDropsSocket_ClientReconnectsAndRecoversMissedPublicationsInOrder()
    {
        // Every connect after the first waits for the gate, so the test publishes while the client is surely away.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var options = ClientKit.Options(_server, "u1", tokenProvider: async ct =>
        {
            if (Interlocked.Increment(ref calls) > 1) await gate.Task.WaitAsync(ct);
            return _server.Token("u1");
        });
        await using var client = await ClientKit.ConnectAsync(options);
        await using var publisher = await _server.ConnectAsync("d1", role: Roles.CallManager);
        var publications = new EventQueue<PublicationEventArgs>();
        var renewals = new EventQueue<ResubscribedEventArgs>();
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        var connected = new EventQueue<ConnectedEventArgs>();
        client.Disconnected += disconnected.Handler;
        client.Connected += connected.Handler;
        var subscription = await client.SubscribeAsync(Channel, new SubscribeOptions { OnPublication = publications.Handler }).WaitAsync(Timeout);
        subscription.Resubscribed += renewals.Handler;
        (await publisher.RequestAsync("publish", new { channel = Channel, data = new { n = 1 } })).AssertOk();
        Assert.Equal(1, (await publications.NextAsync()).Offset);
        var firstConnectionId = client.ConnectionId;

        CloseServerSide(client, CloseCodes.SlowConsumer);
        var drop = await disconnected.NextAsync();
        (await publisher.RequestAsync("publish", new { channel = Channel, data = new { n = 2 } })).AssertOk();
        (await publisher.RequestAsync("publish", new { channel = Channel, data = new { n = 3 } })).AssertOk();
        gate.SetResult();
        var renewal = await renewals.NextAsync();
        (await publisher.RequestAsync("publish", new { channel = Channel, data = new { n = 4 } })).AssertOk();

        Assert.Equal(4001, drop.CloseCode);
        Assert.True(drop.WillReconnect);
        Assert.True((await connected.NextAsync()).IsReconnect);
        Assert.NotEqual(firstConnectionId, client.ConnectionId);
        Assert.True(renewal.Recovered);
        Assert.Null(renewal.Error);
        for (var n = 2; n <= 4; n++)
        {
            var publication = await publications.NextAsync();
            Assert.Equal(n, publication.Offset);
            Assert.Equal(n, publication.Data.GetProperty("n").GetInt32());
        }
        Assert.False(publications.TryTake(out _));
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
        Assert.Equal(4, subscription.Offset);
    }

    [Fact]
    public async Task ServerClosesWithShutdownCode_ClientReconnectsAndRequestsWorkAgain()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        var connected = new EventQueue<ConnectedEventArgs>();
        client.Connected += connected.Handler;

        CloseServerSide(client, CloseCodes.Shutdown);
        await connected.NextAsync();
        var ping = await client.RequestAsync("ping").WaitAsync(Timeout);

        Assert.True(ping.GetProperty("server_time").GetInt64() > 0);
    }

    [Fact]
    public async Task ServerClosesWithUnauthorized_ClientStopsWithoutReconnecting()
    {
        var calls = 0;
        var options = ClientKit.Options(_server, "u1", tokenProvider: _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(_server.Token("u1"));
        });
        await using var client = await ClientKit.ConnectAsync(options);
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        client.Disconnected += disconnected.Handler;

        CloseServerSide(client, CloseCodes.Unauthorized);
        var e = await disconnected.NextAsync();

        Assert.Equal(4500, e.CloseCode);
        Assert.Equal("test", e.Reason);
        Assert.False(e.WillReconnect);
        Assert.Equal(HeartlineConnectionState.Closed, client.State);
        Assert.Equal(1, calls);
        var ex = await Assert.ThrowsAsync<HeartlineException>(() => client.RequestAsync("ping"));
        Assert.Equal(HeartlineException.NotConnected, ex.Code);
    }

    [Fact]
    public async Task Reconnect_TokenNowRefused_StopsWith4500()
    {
        var calls = 0;
        var options = ClientKit.Options(_server, "u1", tokenProvider: _ =>
            ValueTask.FromResult(Interlocked.Increment(ref calls) == 1 ? _server.Token("u1") : "revoked"));
        await using var client = await ClientKit.ConnectAsync(options);
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        client.Disconnected += disconnected.Handler;

        CloseServerSide(client, CloseCodes.SlowConsumer);
        var drop = await disconnected.NextAsync();
        var stop = await disconnected.NextAsync();

        Assert.True(drop.WillReconnect);
        Assert.Equal(4500, stop.CloseCode);
        Assert.False(stop.WillReconnect);
        Assert.Equal(HeartlineConnectionState.Closed, client.State);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Reconnect_TokenProviderFailsOnce_RetriesWithBackoff()
    {
        var calls = 0;
        var options = ClientKit.Options(_server, "u1", tokenProvider: _ => Interlocked.Increment(ref calls) == 2
            ? throw new HttpRequestException("auth server down")
            : ValueTask.FromResult(_server.Token("u1")));
        await using var client = await ClientKit.ConnectAsync(options);
        var connected = new EventQueue<ConnectedEventArgs>();
        client.Connected += connected.Handler;

        CloseServerSide(client, CloseCodes.KeepAliveTimeout);
        await connected.NextAsync();

        Assert.Equal(3, calls);
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
    }
}
