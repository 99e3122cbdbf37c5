using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Integration;

public sealed class ChannelTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:CommandBurst"] = "10000",
        ["Realtime:CommandRatePerSecond"] = "10000",
        ["Presence:LeaveGraceSeconds"] = "1",
    };

    private static long Offset(JsonElement pub) => pub.GetProperty("offset").GetInt64();

    [Fact]
    public async Task Publish_ReachesEverySubscriberOfTheOffice_InOrder_AndNoOtherOffice()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        await using var a = await Server.ConnectAsync("u1");
        await using var b = await Server.ConnectAsync("u2");
        await using var stranger = await Server.ConnectAsync("x1", office: "o2");
        (await a.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        (await b.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        (await stranger.RequestAsync("subscribe", new { channel = "office:r1_o2" })).AssertOk();

        for (var i = 1; i <= 10; i++)
            (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = i } })).AssertOk();

        foreach (var client in new[] { a, b })
        {
            for (var i = 1; i <= 10; i++)
            {
                var pub = await client.NextPushAsync("pub");
                Assert.Equal(i, Offset(pub));
                Assert.Equal(i, pub.GetProperty("data").GetProperty("n").GetInt32());
            }
        }
        Assert.False(stranger.TryTakePush(out _));
    }

    [Fact]
    public async Task Subscribe_IsAnsweredExactlyOnce()
    {
        await using var client = await Server.ConnectAsync("u1");

        (await client.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        // A later command's reply proves that everything queued before it arrived.
        (await client.RequestAsync("ping")).AssertOk();

        Assert.Empty(client.UnexpectedReplies);
    }

    [Fact]
    public async Task Subscribe_AnotherOffice_IsForbidden_UnknownNamespace_IsInvalid()
    {
        await using var client = await Server.ConnectAsync("u1");

        Assert.Equal("forbidden", (await client.RequestAsync("subscribe", new { channel = "office:r1_o2" })).ErrorCode);
        Assert.Equal("forbidden", (await client.RequestAsync("publish", new { channel = "office:r9_o9", data = 1 })).ErrorCode);
        Assert.Equal("forbidden", (await client.RequestAsync("subscribe", new { channel = "user:someone-else" })).ErrorCode);
        Assert.Equal("invalid_channel", (await client.RequestAsync("subscribe", new { channel = "secret:x" })).ErrorCode);
        Assert.Equal("invalid_channel", (await client.RequestAsync("subscribe", new { channel = "office:<script>" })).ErrorCode);
        Assert.Equal("bad_request", (await client.RequestAsync("publish", new { channel = "office:r1_o1" })).ErrorCode);
    }

    [Fact]
    public async Task Admin_MayObserveAnyOffice()
    {
        await using var admin = await Server.ConnectAsync("boss", role: Roles.Admin, office: "hq");

        (await admin.RequestAsync("subscribe", new { channel = "office:r1_o7" })).AssertOk();
        var presence = await admin.RequestAsync("presence", new { office = "r1_o7" });
        presence.AssertOk();
    }

    [Fact]
    public async Task Viewer_CannotPublish()
    {
        await using var viewer = await Server.ConnectAsync("v1", role: Roles.Viewer);

        Assert.Equal("forbidden", (await viewer.RequestAsync("publish", new { channel = "office:r1_o1", data = 1 })).ErrorCode);
    }

    [Fact]
    public async Task Resubscribe_AfterDrop_RecoversEveryMissedPublication()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        var first = await Server.ConnectAsync("u1");
        var sub = await first.RequestAsync("subscribe", new { channel = "office:r1_o1" });
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = "before" })).AssertOk();
        var seen = await first.NextPushAsync("pub");
        var epoch = sub.Result.GetProperty("epoch").GetString();
        first.Abort();
        await first.DisposeAsync();

        for (var i = 0; i < 3; i++)
            (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = "missed" + i })).AssertOk();
        await using var again = await Server.ConnectAsync("u1");
        var reply = await again.RequestAsync("subscribe", new { channel = "office:r1_o1", since = new { offset = Offset(seen), epoch } });
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = "live" })).AssertOk();

        Assert.True(reply.Result.GetProperty("recovered").GetBoolean());
        var missed = reply.Result.GetProperty("publications").EnumerateArray().ToList();
        Assert.Equal([2L, 3L, 4L], missed.Select(Offset));
        Assert.Equal("missed0", missed[0].GetProperty("data").GetString());
        var live = await again.NextPushAsync("pub");
        Assert.Equal(5, Offset(live));
    }

    [Fact]
    public async Task Resubscribe_WithUnknownEpoch_RecoversNothing()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = 1 })).AssertOk();
        await using var client = await Server.ConnectAsync("u1");

        var reply = await client.RequestAsync("subscribe", new { channel = "office:r1_o1", since = new { offset = 0, epoch = "stale" } });

        Assert.False(reply.Result.GetProperty("recovered").GetBoolean());
        Assert.Empty(reply.Result.GetProperty("publications").EnumerateArray());
    }

    [Fact]
    public async Task SlowConsumer_IsClosed_WhileOthersKeepReceivingEverything()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        await using var healthy = await Server.ConnectAsync("u1");
        await using var slow = await Server.ConnectAsync("u2");
        (await healthy.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        (await slow.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        slow.Paused = true;

        // Loopback socket buffers absorb several MB, so the backlog must be far larger than that to reach the queue.
        var payload = new string('x', 30_000);
        const int count = 1000;
        var receivedAll = Task.Run(async () =>
        {
            for (var i = 1; i <= count; i++) Assert.Equal(i, Offset(await healthy.NextPushAsync("pub")));
        });
        for (var i = 0; i < count; i++)
            (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = payload })).AssertOk();

        await receivedAll.WaitAsync(TimeSpan.FromSeconds(60));
        // What a client that stopped reading sees (docs/protocol.md 7): its socket buffers are full, so the 4001 close
        // frame cannot reach it; after the close timeout the server aborts, and the client, reading again, finds the
        // connection gone without a close frame (1006).
        var registry = Server.Services.GetRequiredService<ConnectionRegistry>();
        await Eventually.TrueAsync(() => !registry.TryGet(slow.ConnectionId!, out _), "the slow consumer leaves the registry",
            TimeSpan.FromSeconds(30));
        slow.Paused = false;
        Assert.Null(await slow.WaitClosedAsync(TimeSpan.FromSeconds(30)));
        Assert.True(Server.Services.GetRequiredService<Heartline.Core.Operations.HeartlineMetrics>().Snapshot().QueueOverflows >= 1);
    }

    [Fact]
    public async Task Presence_AnnouncesOnlineAndOfflineAfterGrace_AndListsConnections()
    {
        await using var watcher = await Server.ConnectAsync("w1");
        (await watcher.RequestAsync("subscribe", new { channel = "presence:r1_o1" })).AssertOk();

        var driver = await Server.ConnectAsync("u9", name: "박기사", device: "Galaxy S21");
        var online = await watcher.NextPushAsync("pub");
        var list = await watcher.RequestAsync("presence");
        await driver.CloseAsync();
        var offline = await watcher.NextPushAsync("pub");
        await driver.DisposeAsync();

        Assert.Equal("online", online.GetProperty("data").GetProperty("event").GetString());
        Assert.Equal("u9", online.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString());
        var listed = list.Result.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("user_id").GetString() == "u9");
        Assert.Equal("Galaxy S21", listed.GetProperty("connections")[0].GetProperty("device").GetString());
        Assert.Equal("offline", offline.GetProperty("data").GetProperty("event").GetString());
        Assert.True(Offset(offline) == Offset(online) + 1);
    }

    [Fact]
    public async Task SubscribeTwice_IsAlreadySubscribed_UnsubscribeTwice_IsNotSubscribed()
    {
        await using var client = await Server.ConnectAsync("u1");

        (await client.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        Assert.Equal("already_subscribed", (await client.RequestAsync("subscribe", new { channel = "office:r1_o1" })).ErrorCode);
        (await client.RequestAsync("unsubscribe", new { channel = "office:r1_o1" })).AssertOk();
        Assert.Equal("not_subscribed", (await client.RequestAsync("unsubscribe", new { channel = "office:r1_o1" })).ErrorCode);
    }
}
