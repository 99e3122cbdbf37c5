using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Heartline.Tests.Client;

/// <summary>
/// A WebSocket endpoint that accepts <c>connect</c> like the real server but never answers anything else, to test
/// the client's own timeouts and pings (the real server always answers). Records every other command it receives.
/// </summary>
internal sealed class SilentServer : IAsyncDisposable
{
    private StubWebSocketHost _host = null!;
    private readonly Channel<JsonElement> _commands = Channel.CreateUnbounded<JsonElement>();
    private readonly long _pingIntervalMs;
    private int _connections;

    private SilentServer(long pingIntervalMs) => _pingIntervalMs = pingIntervalMs;

    public Uri WebSocketUri => _host.WebSocketUri;

    /// <summary>Sockets accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static async Task<SilentServer> StartAsync(long pingIntervalMs = 25_000)
    {
        var server = new SilentServer(pingIntervalMs);
        server._host = await StubWebSocketHost.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>The next command other than <c>connect</c>.</summary>
    public async Task<JsonElement> NextCommandAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? EventQueue<object>.DefaultTimeout);
        return await _commands.Reader.ReadAsync(cts.Token);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _connections);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) return;
                var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
                if (frame.GetProperty("cmd").GetString() != "connect")
                {
                    _commands.Writer.TryWrite(frame);
                    continue;
                }
                var reply = JsonSerializer.Serialize(new
                {
                    id = frame.GetProperty("id").GetInt64(),
                    result = new
                    {
                        connection_id = "c_silent" + Connections, node_id = "silent",
                        user = new { user_id = "u1", name = "u1", role = "pickup_driver", region_id = "r1", office_id = "o1", office = "r1_o1" },
                        server_time = 0, ping_interval_ms = _pingIntervalMs, max_message_bytes = 65536, token_expires_at = 0,
                    },
                });
                await socket.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
