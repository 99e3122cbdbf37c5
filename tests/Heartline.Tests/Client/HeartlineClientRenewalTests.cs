using Heartline.Client;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Heartline.Core.Protocol;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

/// <summary>Renewing more subscriptions than the server's command burst after a reconnect.</summary>
public sealed class HeartlineClientRenewalTests : IAsyncLifetime
{
    private const int Channels = 30;
    private HeartlineServer _server = null!;

    // A small burst makes the renewal overflow it; the flood threshold is raised so a pacing failure shows up as a
    // count of refusals instead of a reconnect loop.
    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
    {
        ["Realtime:CommandBurst"] = "10",
        ["Realtime:CommandRatePerSecond"] = "50",
        ["Realtime:FloodThreshold"] = "1000",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Reconnect_MoreSubscriptionsThanTheBurst_RenewsAllWithFewRefusals()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        var renewals = new EventQueue<ResubscribedEventArgs>();
        var disconnected = new EventQueue<DisconnectedEventArgs>();
        for (var i = 0; i < Channels; i++)
            (await SubscribeWhenAllowedAsync(client, $"office:r1_o1/t{i}")).Resubscribed += renewals.Handler;
        client.Disconnected += disconnected.Handler;
        var metrics = _server.Services.GetRequiredService<HeartlineMetrics>();
        var refusedBefore = metrics.Snapshot().RateLimited;

        Assert.True(_server.Services.GetRequiredService<ConnectionRegistry>().TryGet(client.ConnectionId!, out var connection));
        connection.Close(CloseCodes.SlowConsumer, "test");
        for (var i = 0; i < Channels; i++)
        {
            var renewal = await renewals.NextAsync();
            Assert.True(renewal.Recovered);
            Assert.Null(renewal.Error);
        }

        Assert.InRange(metrics.Snapshot().RateLimited - refusedBefore, 1, 6);
        Assert.Equal(4001, (await disconnected.NextAsync()).CloseCode);
        Assert.False(disconnected.TryTake(out _));
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
    }

    /// <summary>The test's own setup paces itself by the server's <c>retry_after_ms</c>.</summary>
    private static async Task<Subscription> SubscribeWhenAllowedAsync(HeartlineClient client, string channel)
    {
        while (true)
        {
            try
            {
                return await client.SubscribeAsync(channel).WaitAsync(EventQueue<object>.DefaultTimeout);
            }
            catch (HeartlineException ex) when (ex.Code == "rate_limited")
            {
                await Task.Delay(ex.RetryAfter!.Value);
            }
        }
    }
}
