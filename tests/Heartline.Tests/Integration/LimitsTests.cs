using System.Net;
using System.Net.WebSockets;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Integration;

public sealed class LimitsTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:CommandBurst"] = "20",
        ["Realtime:CommandRatePerSecond"] = "1",
        ["Realtime:FloodThreshold"] = "10",
        ["Realtime:MaxMessageBytes"] = "4096",
        ["Realtime:ConnectRatePerIp"] = "1000",
        ["Channels:MaxChannelsPerScope"] = "5",
    };

    [Fact]
    public async Task ChannelsPerScope_AreBounded_WithLimitExceeded()
    {
        await using var client = await Server.ConnectAsync("u1");
        for (var i = 0; i < 5; i++)
            (await client.RequestAsync("publish", new { channel = $"office:r1_o1/topic-{i}", data = i })).AssertOk();

        var publish = await client.RequestAsync("publish", new { channel = "office:r1_o1/topic-5", data = 5 });
        var subscribe = await client.RequestAsync("subscribe", new { channel = "office:r1_o1/topic-6" });

        Assert.Equal("limit_exceeded", publish.ErrorCode);
        Assert.Equal("limit_exceeded", subscribe.ErrorCode);
        Assert.Contains("office:r1_o1", publish.Frame.GetProperty("error").GetProperty("message").GetString());
        // A channel the scope already uses keeps working.
        (await client.RequestAsync("subscribe", new { channel = "office:r1_o1/topic-0" })).AssertOk();
        (await client.RequestAsync("publish", new { channel = "office:r1_o1/topic-0", data = 0 })).AssertOk();
    }

    [Fact]
    public async Task MalformedJson_GetsErrorPush_AndTheConnectionKeepsWorking()
    {
        await using var client = await Server.ConnectAsync("u1");

        await client.SendTextAsync("{not json");
        var push = await client.NextPushAsync("error");

        Assert.Equal("bad_request", push.GetProperty("error").GetProperty("code").GetString());
        Assert.True((await client.RequestAsync("ping")).IsOk);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("{\"cmd\":\"ping\"}")]
    [InlineData("{\"id\":-1,\"cmd\":\"ping\"}")]
    [InlineData("{\"id\":\"seven\",\"cmd\":\"ping\"}")]
    public async Task FrameWithoutUsableId_GetsBadRequestPush(string frame)
    {
        await using var client = await Server.ConnectAsync("u1");

        await client.SendTextAsync(frame);

        var push = await client.NextPushAsync("error");
        Assert.Equal("bad_request", push.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task MissingCmd_WithId_GetsBadRequestReply()
    {
        await using var client = await Server.ConnectAsync("u1");

        var reply = await client.RequestRawAsync(1_000_001, "{\"id\":1000001,\"args\":{}}");

        Assert.Equal("bad_request", reply.ErrorCode);
    }

    [Fact]
    public async Task UnknownCommand_RepliesUnknownCommand()
    {
        await using var client = await Server.ConnectAsync("u1");

        Assert.Equal("unknown_command", (await client.RequestAsync("teleport")).ErrorCode);
    }

    [Fact]
    public async Task BinaryFrame_WithoutMediaRole_GetsBinaryNotAllowed()
    {
        await using var client = await Server.ConnectAsync("u1");

        await client.SendAsync([1, 2, 3], WebSocketMessageType.Binary);

        var push = await client.NextPushAsync("error");
        Assert.Equal("binary_not_allowed", push.GetProperty("error").GetProperty("code").GetString());
        Assert.True((await client.RequestAsync("ping")).IsOk);
    }

    [Fact]
    public async Task OversizedMessage_ClosesWith4502()
    {
        await using var client = await Server.ConnectAsync("u1");

        await client.SendTextAsync("{\"id\":1,\"cmd\":\"ping\",\"args\":{\"pad\":\"" + new string('x', 5000) + "\"}}");

        Assert.Equal(4502, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task CommandsAboveTheRate_AreRateLimited_ThenAFloodCloses4004()
    {
        await using var client = await Server.ConnectAsync("u1");
        await using var neighbour = await Server.ConnectAsync("u2");

        var replies = new List<Reply>();
        for (var i = 0; i < 25; i++) replies.Add(await client.RequestAsync("ping"));

        var limited = replies.Where(r => r.ErrorCode == "rate_limited").ToList();
        Assert.NotEmpty(limited);
        Assert.True(limited[0].Frame.GetProperty("error").GetProperty("retry_after_ms").GetInt64() > 0);
        for (var i = 0; i < 20 && client.State == WebSocketState.Open; i++) client.SendCommand("ping");
        Assert.Equal(4004, await client.WaitClosedAsync());
        Assert.True((await neighbour.RequestAsync("ping")).IsOk);
    }

    [Fact]
    public async Task ConnectionRatePerIp_Exceeded_Gets429WithRetryAfter()
    {
        await using var strict = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "2",
            ["Realtime:ConnectRateWindowSeconds"] = "60",
        });
        await using var a = await WsClient.OpenAsync(strict.WebSocketUri);
        await using var b = await WsClient.OpenAsync(strict.WebSocketUri);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.OpenAsync(strict.WebSocketUri));
        Assert.Contains("429", refused.Message);
        using var http = strict.CreateHttpClient();
        var response = await http.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task NonUtf8Text_ClosesWithInvalidPayload1007_AndOthersAreServed()
    {
        await using var client = await Server.ConnectAsync("u1");
        await using var neighbour = await Server.ConnectAsync("u2");

        await client.SendAsync([0xC3, 0x28, 0xFF], WebSocketMessageType.Text);

        var status = await client.WaitClosedAsync();
        Assert.True(status is 1007 or null, $"closed with {status}");
        Assert.True((await neighbour.RequestAsync("ping")).IsOk);
    }
}
