using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Core;

public sealed class ChannelHubTests
{
    private readonly FakeTimeProvider _time = new();

    private ChannelHub CreateHub(int historySize = 100, int ttlSeconds = 300) =>
        TestChannels.Hub(_time, new ChannelOptions { HistorySize = historySize, HistoryTtlSeconds = ttlSeconds });

    /// <summary>What the channel sweeper does: this node's followed channels, then the broker's history.</summary>
    private static async Task<int> SweepAsync(ChannelHub hub) => hub.Sweep() + await hub.Broker.TrimAsync(default);

    private static JsonElement Data(int n) => JsonDocument.Parse($"{{\"n\":{n}}}").RootElement;

    /// <summary>In process the publish completes before it returns.</summary>
#pragma warning disable CA2012 // the ValueTask completed synchronously, as asserted
    private static StreamPosition Publish(ChannelHub hub, int n)
    {
        var publish = hub.PublishAsync("office:r1_o1", Data(n));
        Assert.True(publish.IsCompletedSuccessfully);
        return publish.Result;
    }
#pragma warning restore CA2012

    private static SubscribeOutcome Subscribe(ChannelHub hub, Heartline.Core.Connections.ClientConnection c, string channel, StreamPosition? since = null) =>
        hub.Subscribe(c, channel, since, (o, missed) => System.Text.Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { recovered = o.Recovered, offset = o.Offset, missed = missed.Select(m => m.Offset).ToArray() })));

    [Fact]
    public void Publish_ToSubscribers_QueuesTheSameBytesInOffsetOrder()
    {
        var hub = CreateHub();
        var a = TestConnections.Create(_time);
        var b = TestConnections.Create(_time);
        Subscribe(hub, a, "office:r1_o1");
        Subscribe(hub, b, "office:r1_o1");
        a.Drain();
        b.Drain();

        for (var i = 1; i <= 5; i++) Publish(hub, i);

        var fromA = a.Drain();
        var fromB = b.Drain();
        Assert.Equal([1, 2, 3, 4, 5], fromA.Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal(fromA.Select(p => p.GetRawText()), fromB.Select(p => p.GetRawText()));
        Assert.Equal(3, fromA[2].GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("pub", fromA[0].GetProperty("push").GetString());
    }

    [Fact]
    public void Subscribe_WithSinceInHistory_RecoversEveryMissedPublication()
    {
        var hub = CreateHub();
        var first = Publish(hub, 1);
        Publish(hub, 2);
        Publish(hub, 3);
        var c = TestConnections.Create(_time);

        var outcome = Subscribe(hub, c, "office:r1_o1", first);

        Assert.True(outcome.Recovered);
        Assert.Equal(3, outcome.Offset);
        var reply = Assert.Single(c.Drain());
        Assert.Equal([2L, 3L], reply.GetProperty("missed").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void Subscribe_WhenHistoryLostTheOldest_RecoversNothing()
    {
        var hub = CreateHub(historySize: 2);
        var first = Publish(hub, 1);
        for (var i = 2; i <= 5; i++) Publish(hub, i);
        var c = TestConnections.Create(_time);

        var outcome = Subscribe(hub, c, "office:r1_o1", first);

        Assert.False(outcome.Recovered);
        Assert.Empty(Assert.Single(c.Drain()).GetProperty("missed").EnumerateArray());
    }

    [Fact]
    public void Subscribe_WithWrongEpoch_RecoversNothing()
    {
        var hub = CreateHub();
        var position = Publish(hub, 1);
        Publish(hub, 2);

        var outcome = Subscribe(hub, TestConnections.Create(_time), "office:r1_o1", position with { Epoch = "other" });

        Assert.False(outcome.Recovered);
    }

    [Fact]
    public void Subscribe_AtLatestOffset_RecoversWithNothingMissing()
    {
        var hub = CreateHub();
        var position = Publish(hub, 1);

        var outcome = Subscribe(hub, TestConnections.Create(_time), "office:r1_o1", position);

        Assert.True(outcome.Recovered);
    }

    [Fact]
    public async Task Sweep_AfterTtl_DropsHistorySoRecoveryFails()
    {
        var hub = CreateHub(ttlSeconds: 60);
        var position = Publish(hub, 1);
        Publish(hub, 2);
        _time.Advance(TimeSpan.FromSeconds(61));

        var removed = await SweepAsync(hub);

        Assert.True(removed >= 2);
        Assert.False(Subscribe(hub, TestConnections.Create(_time), "office:r1_o1", position).Recovered);
    }

    [Fact]
    public async Task Sweep_IdleChannelWithoutSubscribers_IsEvictedAndGetsANewEpoch()
    {
        var hub = CreateHub(ttlSeconds: 60);
        var before = Publish(hub, 1);
        _time.Advance(TimeSpan.FromSeconds(61));
        await SweepAsync(hub);

        Assert.Null(hub.Position("office:r1_o1"));
        var after = Publish(hub, 2);
        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.Equal(1, after.Offset);
    }

    [Fact]
    public void Unsubscribe_StopsDelivery()
    {
        var hub = CreateHub();
        var c = TestConnections.Create(_time);
        Subscribe(hub, c, "office:r1_o1");
        c.Drain();

        hub.Unsubscribe(c, "office:r1_o1");
        Publish(hub, 1);

        Assert.Empty(c.Drain());
    }

    [Fact]
    public void Publish_ConcurrentPublishers_KeepOffsetsGapFreeAndOrderedForEverySubscriber()
    {
        var hub = CreateHub(historySize: 10_000);
        var subscribers = Enumerable.Range(0, 4).Select(_ => TestConnections.Create(_time,
            options: new Heartline.Core.Connections.RealtimeOptions { SendQueueCapacity = 10_000, SendQueueMaxBytes = 64 << 20 })).ToList();
        foreach (var s in subscribers) { Subscribe(hub, s, "office:r1_o1"); s.Drain(); }

        Parallel.For(0, 4, p => { for (var i = 0; i < 500; i++) Publish(hub, i); });

        foreach (var s in subscribers)
            Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), s.Drain().Select(f => f.GetProperty("offset").GetInt64()));
    }
}
