using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Ptt;

/// <summary>What docs/protocol.md promises a client of push-to-talk, checked on the wire in the order frames arrive.</summary>
public sealed class PttConformanceTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:ConnectRatePerIp"] = "1000",
    };

    /// <summary>A raw socket that reads every text frame in arrival order (replies and pushes alike).</summary>
    private sealed class OrderedSocket : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly byte[] _buffer = new byte[1 << 16];

        public static async Task<OrderedSocket> ConnectAsync(Uri uri, string token, string office)
        {
            var socket = new OrderedSocket();
            await socket._socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await socket.SendAsync($"{{\"id\":1,\"cmd\":\"connect\",\"args\":{{\"token\":\"{token}\"}}}}");
            await socket.ReadUntilReplyAsync(1);
            await socket.SendAsync($"{{\"id\":2,\"cmd\":\"subscribe\",\"args\":{{\"channel\":\"ptt:{office}\"}}}}");
            await socket.ReadUntilReplyAsync(2);
            return socket;
        }

        public Task SendAsync(string json) =>
            _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        /// <summary>Every frame up to and including the reply to <paramref name="id"/>, in the order they came.</summary>
        public async Task<List<JsonElement>> ReadUntilReplyAsync(long id)
        {
            var frames = new List<JsonElement>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(_buffer.AsMemory(count), timeout.Token);
                    count += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType != WebSocketMessageType.Text) continue;
                var frame = JsonDocument.Parse(_buffer.AsMemory(0, count)).RootElement.Clone();
                frames.Add(frame);
                if (frame.TryGetProperty("id", out var replyId) && replyId.GetInt64() == id) return frames;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Abort();
            _socket.Dispose();
            await Task.CompletedTask;
        }
    }

    private static bool IsPtt(JsonElement frame, string type) =>
        frame.TryGetProperty("push", out var push) && push.GetString() == "pub"
        && frame.GetProperty("data").TryGetProperty("type", out var t) && t.GetString() == type;

    [Fact]
    public async Task PressReply_ComesAfterTheSpeakersOwnSessionStarted_EveryTime()
    {
        await using var speaker = await OrderedSocket.ConnectAsync(Server.WebSocketUri, Server.Token("drv1"), "r1_o1");
        await using var listener = await Server.MemberAsync("drv2");

        for (var round = 0; round < 10; round++)
        {
            var pressId = 100 + round * 2;
            await speaker.SendAsync($"{{\"id\":{pressId},\"cmd\":\"ptt.press\"}}");
            var frames = await speaker.ReadUntilReplyAsync(pressId);
            var reply = frames[^1];
            var sessionId = reply.GetProperty("result").GetProperty("session_id").GetString();
            Assert.Contains(frames[..^1], f => IsPtt(f, "session_started") && f.GetProperty("data").GetProperty("session_id").GetString() == sessionId);

            var releaseId = pressId + 1;
            await speaker.SendAsync($"{{\"id\":{releaseId},\"cmd\":\"ptt.release\",\"args\":{{\"epoch\":{reply.GetProperty("result").GetProperty("epoch").GetInt64()}}}}}");
            var released = await speaker.ReadUntilReplyAsync(releaseId);
            Assert.Contains(released[..^1], f => IsPtt(f, "session_ended") && f.GetProperty("data").GetProperty("session_id").GetString() == sessionId);
        }
    }

    [Fact]
    public async Task SpeakersSecondDevice_ConnectingMidSession_GetsPttState()
    {
        await using var speaker = await Server.MemberAsync("drv1", device: "phone");
        var press = await speaker.PressAsync();

        await using var tablet = await Server.ConnectAsync("drv1", device: "tablet");
        var state = await tablet.NextPushAsync("ptt.state");

        Assert.True(state.GetProperty("active").GetBoolean());
        Assert.Equal(press.GetProperty("session_id").GetString(), state.GetProperty("session_id").GetString());
        Assert.Equal("drv1", state.GetProperty("speaker").GetProperty("user_id").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(1276 + 13)]
    public async Task SpeakersMalformedAudioFrame_IsBadFrame_AndTheNextGoodFrameStillRelays(int length)
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await using var listener = await Server.MemberAsync("drv2");
        var epoch = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();
        var bad = new byte[length];
        if (length > 0) bad[0] = 0x01;

        await speaker.SendAsync(bad, WebSocketMessageType.Binary);
        var refused = await speaker.NextPushAsync("error");
        await speaker.SendAsync(FloorControlTests.Audio(epoch, 1), WebSocketMessageType.Binary);

        Assert.Equal("bad_frame", refused.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(FloorControlTests.Audio(epoch, 1), await listener.NextBinaryAsync());
    }

    [Fact]
    public async Task SubscribeWithoutChannel_IsBadRequest()
    {
        await using var client = await Server.ConnectAsync("drv1");

        Assert.Equal("bad_request", (await client.RequestAsync("subscribe", new { })).ErrorCode);
    }
}
