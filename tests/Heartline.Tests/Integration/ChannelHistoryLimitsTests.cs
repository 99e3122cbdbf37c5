using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

/// <summary>
/// History is bounded in bytes, per channel and for all channels together, so a recovery reply always fits in a send
/// queue and publishing to ever new topics cannot exhaust memory; what does not fit is not recovered (never partly).
/// </summary>
public sealed class ChannelHistoryLimitsTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:CommandBurst"] = "10000",
        ["Realtime:CommandRatePerSecond"] = "10000",
        ["Channels:HistoryMaxBytes"] = "8192",
        ["Channels:HistoryTotalMaxMegabytes"] = "1",
    };

    private static long Offset(JsonElement pub) => pub.GetProperty("offset").GetInt64();

    private static async Task<string> EpochAsync(WsClient client, string channel)
    {
        var reply = await client.RequestAsync("subscribe", new { channel });
        reply.AssertOk();
        (await client.RequestAsync("unsubscribe", new { channel })).AssertOk();
        return reply.Result.GetProperty("epoch").GetString()!;
    }

    [Fact]
    public async Task ChannelHistory_KeepsTheNewestBytesOnly_AndRecoversAllOrNothing()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        await using var watcher = await Server.ConnectAsync("u1");
        var epoch = await EpochAsync(watcher, "office:r1_o1");
        for (var i = 1; i <= 10; i++)
            (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new string('x', 2000) + i })).AssertOk();

        await using var late = await Server.ConnectAsync("u2");
        var fromStart = await late.RequestAsync("subscribe", new { channel = "office:r1_o1", since = new { offset = 0, epoch } });
        await using var recent = await Server.ConnectAsync("u3");
        var fromEight = await recent.RequestAsync("subscribe", new { channel = "office:r1_o1", since = new { offset = 8, epoch } });

        // 10 publications of ~2.1 KB: only the newest three fit in 8 KB, so offset 0 cannot be recovered.
        Assert.False(fromStart.Result.GetProperty("recovered").GetBoolean());
        Assert.Empty(fromStart.Result.GetProperty("publications").EnumerateArray());
        Assert.True(fromEight.Result.GetProperty("recovered").GetBoolean());
        Assert.Equal([9L, 10L], fromEight.Result.GetProperty("publications").EnumerateArray().Select(Offset));
    }

    [Fact]
    public async Task AllChannelsHistory_StaysWithinItsBudget_NewTopicsBeyondItAreLiveOnly()
    {
        await using var publisher = await Server.ConnectAsync("d1", role: Roles.CallManager);
        await using var watcher = await Server.ConnectAsync("u1");
        var firstEpoch = await EpochAsync(watcher, "office:r1_o1/first");
        var lastEpoch = await EpochAsync(watcher, "office:r1_o1/t30");
        await using var live = await Server.ConnectAsync("u2");
        (await live.RequestAsync("subscribe", new { channel = "office:r1_o1/t30" })).AssertOk();

        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1/first", data = "kept" })).AssertOk();
        // 30 new topics × ~7 KB = ~210 KB per 30; 5 rounds of distinct topics overflow the 1 MB budget.
        for (var round = 0; round < 5; round++)
        {
            for (var i = 1; i <= 30; i++)
            {
                var topic = round == 4 && i == 30 ? "office:r1_o1/t30" : $"office:r1_o1/r{round}t{i}";
                (await publisher.RequestAsync("publish", new { channel = topic, data = new string('y', 7000) })).AssertOk();
            }
        }

        var hub = Server.Services.GetRequiredService<ChannelHub>();
        Assert.InRange(hub.HistoryBytes, 1, 1024 * 1024);
        await using var again = await Server.ConnectAsync("u3");
        var first = await again.RequestAsync("subscribe", new { channel = "office:r1_o1/first", since = new { offset = 0, epoch = firstEpoch } });
        var last = await again.RequestAsync("subscribe", new { channel = "office:r1_o1/t30", since = new { offset = 0, epoch = lastEpoch } });
        Assert.True(first.Result.GetProperty("recovered").GetBoolean());
        Assert.Equal("kept", Assert.Single(first.Result.GetProperty("publications").EnumerateArray()).GetProperty("data").GetString());
        Assert.False(last.Result.GetProperty("recovered").GetBoolean());
        // Its subscriber got it live all the same.
        Assert.Equal(1, Offset(await live.NextPushAsync("pub")));
    }

    [Fact]
    public async Task HistoryMaxBytes_AboveHalfTheSendQueue_StopsTheServerAtStartup()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HeartlineServer.StartAsync(
            new Dictionary<string, string?> { ["Channels:HistoryMaxBytes"] = "600000", ["Realtime:SendQueueMaxBytes"] = "1048576" })
            .WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("Channels:HistoryMaxBytes", error.Message);
    }
}
