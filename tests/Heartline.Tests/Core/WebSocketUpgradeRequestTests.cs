using System.Buffers;
using System.Text;
using Heartline.Core.Connections;

namespace Heartline.Tests.Core;

/// <summary>Which first bytes of a connection the direct upgrade takes, and which it leaves to Kestrel's HTTP.</summary>
public sealed class WebSocketUpgradeRequestTests
{
    private const string Chromium =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nConnection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0\r\nUpgrade: websocket\r\nOrigin: http://127.0.0.1:5000\r\nSec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\nAccept-Language: ko-KR,ko;q=0.9\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nSec-WebSocket-Protocol: heartline.v1\r\n\r\n";

    private static UpgradeHead Parse(string text, out WebSocketUpgradeRequest request) =>
        WebSocketUpgradeRequest.Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), out request);

    [Fact]
    public void AcceptValue_IsRfc6455s()
    {
        // RFC 6455 section 1.3's example.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketUpgradeRequest.AcceptValue("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void BrowsersUpgrade_IsTaken_WithTheSubprotocol_AndNothingAfterTheHead()
    {
        var head = Parse(Chromium + "\x81\x85", out var request);

        Assert.Equal(UpgradeHead.Upgrade, head);
        Assert.Equal(Encoding.Latin1.GetByteCount(Chromium), request.HeadLength);
        Assert.True(request.OffersHeartline);
        var response = Encoding.ASCII.GetString(request.Response());
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Protocol: heartline.v1\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeWithAQuery_WithoutTheSubprotocol_IsTaken_AndAnswersNoSubprotocol()
    {
        var text = "GET /ws?v=1 HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n" +
            "sec-websocket-version: 13\r\nsec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Protocol: other, Heartline.V1\r\n\r\n";

        Assert.Equal(UpgradeHead.Upgrade, Parse(text, out var request));
        Assert.False(request.OffersHeartline); // subprotocols are case-sensitive
        Assert.DoesNotContain("Sec-WebSocket-Protocol", Encoding.ASCII.GetString(request.Response()), StringComparison.Ordinal);
    }

    [Fact]
    public void HeadInSegments_IsRead_AcrossThem()
    {
        var bytes = Encoding.Latin1.GetBytes(Chromium);
        var first = new Segment(bytes.AsMemory(0, 5));
        var last = first.Append(bytes.AsMemory(5, 40)).Append(bytes.AsMemory(45));

        Assert.Equal(UpgradeHead.Upgrade, WebSocketUpgradeRequest.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var request));
        Assert.Equal(bytes.Length, request.HeadLength);
    }

    [Theory]
    [InlineData("Ignored", "198.51.100.1, 203.0.113.7", true, "10.0.0.5")]
    [InlineData("LastEntry", "198.51.100.1, 203.0.113.7", true, "203.0.113.7")]
    [InlineData("LastEntry", "203.0.113.7:5555", true, "203.0.113.7")]
    [InlineData("LastEntry", "[2001:db8::1]:443", true, "2001:db8::1")]
    [InlineData("LastEntry", "2001:db8::1", true, "2001:db8::1")]
    [InlineData("LastEntry", null, true, "10.0.0.5")]
    [InlineData("LastEntry", "198.51.100.1, unknown", false, null)]
    [InlineData("LeftToHttp", "203.0.113.7", false, null)]
    [InlineData("LeftToHttp", null, true, "10.0.0.5")]
    public void ClientAddress_FollowsTheForwardedHeadersRule(string rule, string? header, bool decided, string? address)
    {
        var text = header is null ? Chromium : Chromium.Replace("\r\n\r\n", $"\r\nX-Forwarded-For: {header}\r\n\r\n", StringComparison.Ordinal);
        Assert.Equal(UpgradeHead.Upgrade, Parse(text, out var request));

        Assert.Equal(decided, request.TryGetClientAddress(Enum.Parse<ForwardedForRule>(rule), "10.0.0.5", out var found));
        if (decided) Assert.Equal(address, found);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET /ws")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: x\r\n")]
    public void StartOfAnUpgrade_WantsMore(string text) => Assert.Equal(UpgradeHead.Incomplete, Parse(text, out _));

    public static TheoryData<string> NotOurs => new()
    {
        "POST /ws HTTP/1.1\r\n",
        "GET /wsx HTTP/1.1\r\n",
        "GET /WS HTTP/1.1\r\n",
        "GET /api/admin/stats HTTP/1.1\r\nHost: x\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        Chromium.Replace("HTTP/1.1\r\nHost", "HTTP/1.0\r\nHost", StringComparison.Ordinal),
        Chromium.Replace("GET /ws HTTP/1.1", "GET /ws x HTTP/1.1", StringComparison.Ordinal),
        Chromium.Replace("Upgrade: websocket\r\n", "", StringComparison.Ordinal),
        Chromium.Replace("Connection: Upgrade\r\n", "Connection: keep-alive\r\n", StringComparison.Ordinal),
        Chromium.Replace("Host: 127.0.0.1:5000\r\n", "", StringComparison.Ordinal),
        Chromium.Replace("Version: 13", "Version: 8", StringComparison.Ordinal),
        Chromium.Replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ", StringComparison.Ordinal),
        Chromium.Replace("dGhlIHNhbXBsZSBub25jZQ==", "AAAAAAAAAAAAAAAAAAAA", StringComparison.Ordinal),
        Chromium.Replace("\r\n\r\n", "\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n", StringComparison.Ordinal),
        Chromium.Replace("\r\n\r\n", "\r\nContent-Length: 4\r\n\r\n", StringComparison.Ordinal),
        Chromium.Replace("\r\n\r\n", "\r\nTransfer-Encoding: chunked\r\n\r\n", StringComparison.Ordinal),
        Chromium.Replace("Pragma: no-cache\r\n", "Pragma: no-cache\r\n  folded\r\n", StringComparison.Ordinal),
        Chromium.Replace("Pragma: no-cache", "Pragma : no-cache", StringComparison.Ordinal),
        Chromium.Replace("Pragma: no-cache", "X-Padding: " + new string('a', 9000), StringComparison.Ordinal),
        "GET /ws HTTP/1.1\r\nX-Padding: " + new string('a', 9000),
    };

    [Theory]
    [MemberData(nameof(NotOurs))]
    public void AnythingElse_IsLeftToHttp(string text) => Assert.Equal(UpgradeHead.NotOurs, Parse(text, out _));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
