using System.Text.Json;
using Heartline.Client;

namespace Heartline.Tests.Client;

/// <summary>Delivery rules of a subscription, fed with frames directly (no server).</summary>
public sealed class SubscriptionTests : IAsyncLifetime
{
    private readonly HeartlineClient _client = new(new HeartlineClientOptions
    {
        Uri = new Uri("ws://127.0.0.1:9/ws"),
        TokenProvider = _ => ValueTask.FromResult("unused"),
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static JsonElement Pub(long offset, string epoch = "e1") =>
        JsonSerializer.SerializeToElement(new { push = "pub", channel = "office:r1_o1", offset, epoch, time = 1, data = new { n = offset } });

    private static JsonElement Reply(long offset, bool recovered, string epoch = "e1", params long[] missed) =>
        JsonSerializer.SerializeToElement(new
        {
            channel = "office:r1_o1", epoch, offset, recovered,
            publications = missed.Select(o => new { channel = "office:r1_o1", offset = o, epoch, time = 1, data = new { n = o } }),
        });

    private (Subscription Subscription, List<long> Delivered, List<ResubscribedEventArgs> Renewals) Create(StreamPosition? since = null)
    {
        var subscription = new Subscription(_client, "office:r1_o1", since);
        var delivered = new List<long>();
        var renewals = new List<ResubscribedEventArgs>();
        subscription.Publication += (_, e) => delivered.Add(e.Offset);
        subscription.Resubscribed += (_, e) => renewals.Add(e);
        return (subscription, delivered, renewals);
    }

    [Fact]
    public void OnLive_RepeatedOrOlderOffset_IsDeliveredOnce()
    {
        var (subscription, delivered, _) = Create();
        subscription.Apply(null, Reply(0, recovered: false), renewed: false);

        foreach (var offset in new long[] { 1, 2, 2, 1, 3, 3 }) subscription.OnLive(Pub(offset));

        Assert.Equal([1, 2, 3], delivered);
        Assert.Equal(3, subscription.Offset);
    }

    [Fact]
    public void Apply_RecoveredOverlappingWhatWasDelivered_DeliversOnlyTheMissedInOrder()
    {
        var (subscription, delivered, renewals) = Create();
        subscription.Apply(null, Reply(0, recovered: false), renewed: false);
        subscription.OnLive(Pub(1));
        subscription.OnLive(Pub(2));

        subscription.Apply(null, Reply(5, recovered: true, "e1", 1, 2, 3, 4, 5), renewed: true);
        subscription.OnLive(Pub(5));
        subscription.OnLive(Pub(6));

        Assert.Equal([1, 2, 3, 4, 5, 6], delivered);
        var renewal = Assert.Single(renewals);
        Assert.True(renewal.Recovered);
        Assert.Equal(new StreamPosition(5, "e1"), renewal.Position);
    }

    [Fact]
    public void Apply_NotRecovered_ContinuesFromTheReplyPosition()
    {
        var (subscription, delivered, renewals) = Create(new StreamPosition(7, "old"));

        subscription.Apply(null, Reply(2, recovered: false, "new"), renewed: true);
        subscription.OnLive(Pub(2, "new"));
        subscription.OnLive(Pub(3, "new"));

        Assert.Equal([3], delivered);
        Assert.Equal("new", subscription.Epoch);
        Assert.False(Assert.Single(renewals).Recovered);
    }

    [Fact]
    public void OnLive_AfterDeactivate_DeliversNothing()
    {
        var (subscription, delivered, _) = Create();
        subscription.Apply(null, Reply(0, recovered: false), renewed: false);

        subscription.Deactivate();
        subscription.OnLive(Pub(1));

        Assert.Empty(delivered);
        Assert.False(subscription.IsActive);
    }
}
