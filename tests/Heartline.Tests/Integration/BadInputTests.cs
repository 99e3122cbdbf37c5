using System.Net.WebSockets;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Integration;

/// <summary>
/// Input that is not what the protocol allows gets a <c>bad_request</c> answer (a reply when the frame carries a usable
/// id), before or after <c>connect</c>; nothing is skipped silently and nothing is logged as a server error.
/// </summary>
public sealed class BadInputTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:ConnectRatePerIp"] = "1000",
        // Long, so that a close caused by the frame cannot be mistaken for the handshake timeout.
        ["Realtime:HandshakeTimeoutSeconds"] = "60",
    };

    [Theory]
    [InlineData("{\"id\":2,\"cmd\":\"\\ud800\"}")]
    [InlineData("{\"id\":2,\"cmd\":\"ping\",\"args\":{\"\\udfff\":1}}")]
    [InlineData("{\"id\":2,\"cmd\":\"connect\",\"args\":{\"token\":\"a\\ud800b\"}}")]
    public async Task LoneSurrogate_BeforeConnect_IsABadRequestReply(string frame)
    {
        await using var client = await WsClient.OpenAsync(Server.WebSocketUri);

        var reply = await client.RequestRawAsync(2, frame);

        Assert.Equal("bad_request", reply.ErrorCode);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task LoneSurrogate_InPublishData_IsABadRequestReply_AndNothingIsPublished()
    {
        await using var client = await Server.ConnectAsync("u1");
        (await client.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();

        var reply = await client.RequestRawAsync(77, "{\"id\":77,\"cmd\":\"publish\",\"args\":{\"channel\":\"office:r1_o1\",\"data\":{\"text\":\"\\ud83d\"}}}");

        Assert.Equal("bad_request", reply.ErrorCode);
        // A valid pair of escapes is an ordinary character and is published.
        var ok = await client.RequestRawAsync(78, "{\"id\":78,\"cmd\":\"publish\",\"args\":{\"channel\":\"office:r1_o1\",\"data\":{\"text\":\"\\ud83d\\ude00\"}}}");
        ok.AssertOk();
        var pub = await client.NextPushAsync("pub");
        Assert.Equal("\U0001F600", pub.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(ok.Result.GetProperty("offset").GetInt64(), pub.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task EmptyTextFrame_IsAnsweredBadRequest_BeforeAndAfterConnect()
    {
        await using var raw = await WsClient.OpenAsync(Server.WebSocketUri);
        await raw.SendAsync([], WebSocketMessageType.Text);
        Assert.Equal("bad_request", (await raw.NextPushAsync("error")).GetProperty("error").GetProperty("code").GetString());

        await using var client = await Server.ConnectAsync("u1");
        await client.SendAsync([], WebSocketMessageType.Text);
        Assert.Equal("bad_request", (await client.NextPushAsync("error")).GetProperty("error").GetProperty("code").GetString());
        Assert.True((await client.RequestAsync("ping")).IsOk);
    }

    [Fact]
    public async Task EmptyBinaryFrame_BeforeConnect_ClosesWithProtocolErrorAtOnce()
    {
        await using var raw = await WsClient.OpenAsync(Server.WebSocketUri);

        await raw.SendAsync([], WebSocketMessageType.Binary);

        // protocol_error, not the handshake timeout (4003, a minute away here).
        Assert.Equal(4501, await raw.WaitClosedAsync(TimeSpan.FromSeconds(20)));
    }
}
