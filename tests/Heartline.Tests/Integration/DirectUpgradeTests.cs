using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Heartline.Core.Operations;
using Heartline.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Integration;

/// <summary>
/// A WebSocket upgrade to /ws is served on the raw connection, ahead of Kestrel's HTTP (Realtime:DirectUpgrade, on by
/// default); HTTP on the same port, and every upgrade it does not take, are served as before.
/// </summary>
public sealed class DirectUpgradeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static long Direct(HeartlineServer server) =>
        server.Services.GetRequiredService<HeartlineMetrics>().Snapshot().ConnectionsDirect;

    [Fact]
    public async Task Socket_IsUpgradedAheadOfHttp_AndServesCommands_WhileHttpOnThePortStillAnswers()
    {
        await using var server = await HeartlineServer.StartAsync();

        await using var client = await server.ConnectAsync("u1");
        var ping = await client.RequestAsync("ping");
        using var http = server.CreateHttpClient();
        var health = await http.GetAsync("/health");

        ping.AssertOk();
        Assert.Equal(1, Direct(server));
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task HeadSentInPieces_IsUpgraded_AndTheSocketWorks()
    {
        await using var server = await HeartlineServer.StartAsync();

        var (tcp, stream, response) = await UpgradeAsync(server, "", inPieces: true);
        using var connection = tcp;
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, SubProtocol = "heartline.v1" });
        var connect = JsonSerializer.Serialize(new { id = 1, cmd = "connect", args = new { token = server.Token("u1") } });
        await socket.SendAsync(Encoding.UTF8.GetBytes(connect), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Timeout);
        var buffer = new byte[64 * 1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Timeout);
        using var reply = JsonDocument.Parse(buffer.AsMemory(0, received.Count));

        Assert.StartsWith("HTTP/1.1 101 ", response, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Protocol: heartline.v1\r\n", response, StringComparison.Ordinal);
        Assert.Equal(1, reply.RootElement.GetProperty("id").GetInt32());
        Assert.True(reply.RootElement.GetProperty("result").TryGetProperty("connection_id", out _), reply.RootElement.GetRawText());
        Assert.Equal(1, Direct(server));
    }

    [Fact]
    public async Task ClientThatNeverFinishesItsHead_IsDisconnectedAfterKestrelsHeadersTimeout()
    {
        await using var server = await HeartlineServer.StartAsync(services: s =>
            s.Configure<KestrelServerOptions>(k => k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(2)));
        using var silent = new TcpClient();
        await silent.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port).WaitAsync(Timeout);
        await silent.GetStream().WriteAsync("GET /ws HTTP/1.1\r\nHost: x\r\n"u8.ToArray()).AsTask().WaitAsync(Timeout);

        // Aborted: the read ends with the connection (closed or reset), not with data and not by the test's timeout.
        int? read;
        try
        {
            read = await silent.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout);
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            read = null;
        }
        await using var neighbour = await server.ConnectAsync("u2");

        Assert.True(read is null or 0, $"read {read} bytes");
        (await neighbour.RequestAsync("ping")).AssertOk();
    }

    [Fact]
    public async Task DirectUpgradeOff_ServesEverySocketThroughHttp()
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:DirectUpgrade"] = "false" });

        await using var client = await server.ConnectAsync("u1");

        (await client.RequestAsync("ping")).AssertOk();
        Assert.Equal(0, Direct(server));
    }

    [Fact]
    public async Task BehindAProxy_TheForwardedAddressIsRateLimited_OnBothWaysIn()
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["ForwardedHeaders_Enabled"] = "true",
            ["Realtime:ConnectRatePerIp"] = "1",
            ["Realtime:ConnectRateWindowSeconds"] = "60",
        });
        // What nginx's proxy_add_x_forwarded_for sends: the client's claim first, the address nginx saw last.
        var first = await UpgradeAsync(server, "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n");
        var second = await UpgradeAsync(server, "X-Forwarded-For: 198.51.100.1, 203.0.113.8\r\n");
        var again = await UpgradeAsync(server, "X-Forwarded-For: 203.0.113.9, 203.0.113.7\r\n");
        using var http = server.CreateHttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/ws");
        get.Headers.Add("X-Forwarded-For", "203.0.113.8");
        var overHttp = await http.SendAsync(get);
        foreach (var (tcp, _, _) in new[] { first, second, again }) tcp.Dispose();

        Assert.StartsWith("HTTP/1.1 101 ", first.Response, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 101 ", second.Response, StringComparison.Ordinal);
        // The same client again, beyond its one connection a minute: refused by the HTTP pipeline, which the direct
        // upgrade handed the request to, with the rate limit both share.
        Assert.StartsWith("HTTP/1.1 429 ", again.Response, StringComparison.Ordinal);
        Assert.Contains("Retry-After: ", again.Response, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, overHttp.StatusCode);
        Assert.Equal(2, Direct(server));
    }

    /// <summary>Sends an upgrade to /ws by hand (in three writes when asked) and reads the response head.</summary>
    private static async Task<(TcpClient Tcp, NetworkStream Stream, string Response)> UpgradeAsync(HeartlineServer server,
        string extraHeaders, bool inPieces = false)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port).WaitAsync(Timeout);
        var stream = tcp.GetStream();
        var head = $"GET /ws HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: heartline.v1\r\n" +
            extraHeaders + "\r\n";
        foreach (var piece in inPieces ? [head[..3], head[3..30], head[30..]] : new[] { head })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(piece)).AsTask().WaitAsync(Timeout);
            await stream.FlushAsync().WaitAsync(Timeout);
        }
        return (tcp, stream, await ReadHeadAsync(stream));
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        // Byte by byte, so nothing of the WebSocket that follows is taken from the stream.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(one).AsTask().WaitAsync(Timeout));
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}
