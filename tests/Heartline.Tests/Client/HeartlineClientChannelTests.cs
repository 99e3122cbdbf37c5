using System.Text.Json;
using Heartline.Client;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Client;

public sealed class HeartlineClientChannelTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;
    private const string Channel = "office:r1_o1";
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SubscribeAsync_ThenPublishFromAnotherClient_DeliversInOrder()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        await using var publisher = await ClientKit.ConnectAsync(ClientKit.Options(_server, "d1", Roles.CallManager));
        var publications = new EventQueue<PublicationEventArgs>();
        var pushes = new EventQueue<PushEventArgs>();
        client.Push += pushes.Handler;

        var subscription = await client.SubscribeAsync(Channel).WaitAsync(Timeout);
        subscription.Publication += publications.Handler;
        var first = await publisher.PublishAsync(Channel, new { text = "안녕" }).WaitAsync(Timeout);
        var second = await publisher.PublishAsync(Channel, JsonSerializer.SerializeToElement(new { text = "bye" })).WaitAsync(Timeout);

        var a = await publications.NextAsync();
        var b = await publications.NextAsync();
        Assert.Equal((first.Offset, first.Epoch, "안녕"), (a.Offset, a.Epoch, a.Data.GetProperty("text").GetString()));
        Assert.Equal((second.Offset, "bye"), (b.Offset, b.Data.GetProperty("text").GetString()));
        Assert.Equal(Channel, a.Channel);
        Assert.Equal(second.Offset, subscription.Offset);
        Assert.Equal("pub", (await pushes.NextAsync()).Type);
    }

    [Fact]
    public async Task SubscribeAsync_WithSince_DeliversRecoveredPublicationsBeforeReturning()
    {
        await using var publisher = await ClientKit.ConnectAsync(ClientKit.Options(_server, "d1", Roles.CallManager));
        var first = await publisher.PublishAsync(Channel, new { n = 1 }).WaitAsync(Timeout);
        await publisher.PublishAsync(Channel, new { n = 2 }).WaitAsync(Timeout);
        await publisher.PublishAsync(Channel, new { n = 3 }).WaitAsync(Timeout);
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        var delivered = new List<long>();

        var subscription = await client.SubscribeAsync(Channel, new SubscribeOptions
        {
            Since = first,
            OnPublication = (_, e) => delivered.Add(e.Offset),
        }).WaitAsync(Timeout);

        Assert.Equal([2, 3], delivered);
        Assert.True(subscription.Recovered);
        Assert.Equal(3, subscription.Offset);
    }

    [Fact]
    public async Task SubscribeAsync_Twice_ThrowsAlreadySubscribed()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        await client.SubscribeAsync(Channel).WaitAsync(Timeout);

        var ex = await Assert.ThrowsAsync<HeartlineException>(() => client.SubscribeAsync(Channel).WaitAsync(Timeout));

        Assert.Equal("already_subscribed", ex.Code);
    }

    [Fact]
    public async Task UnsubscribeAsync_StopsDeliveryAndAllowsSubscribingAgain()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        var publications = new EventQueue<PublicationEventArgs>();
        var subscription = await client.SubscribeAsync(Channel, new SubscribeOptions { OnPublication = publications.Handler }).WaitAsync(Timeout);

        await subscription.UnsubscribeAsync().WaitAsync(Timeout);
        await client.PublishAsync(Channel, new { n = 1 }).WaitAsync(Timeout);
        var again = await client.SubscribeAsync(Channel).WaitAsync(Timeout);

        Assert.False(subscription.IsActive);
        Assert.True(again.IsActive);
        Assert.False(publications.TryTake(out _));
    }

    [Fact]
    public async Task PublishAsync_OwnSubscription_ReceivesOwnPublication()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));
        var publications = new EventQueue<PublicationEventArgs>();
        await client.SubscribeAsync(Channel, new SubscribeOptions { OnPublication = publications.Handler }).WaitAsync(Timeout);

        var position = await client.PublishAsync(Channel, new { n = 1 }).WaitAsync(Timeout);

        Assert.Equal(position.Offset, (await publications.NextAsync()).Offset);
    }

    [Fact]
    public async Task PresenceAsync_OwnOffice_ListsTheConnectedUser()
    {
        await using var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, "u1"));

        var presence = await client.PresenceAsync().WaitAsync(Timeout);

        Assert.Equal("r1_o1", presence.GetProperty("office").GetString());
        Assert.Contains(presence.GetProperty("users").EnumerateArray(), u => u.GetProperty("user_id").GetString() == "u1");
    }
}
