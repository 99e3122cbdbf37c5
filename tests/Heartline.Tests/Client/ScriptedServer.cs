using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Heartline.Tests.Client;

/// <summary>
/// A WebSocket endpoint where the test plays the server: it accepts <c>connect</c> (as pickup driver u1 of r1_o1) and
/// hands every other command to the test, which answers and pushes frames in exactly the order it wants, to reproduce
/// interleavings the real server only produces by chance.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private StubWebSocketHost _host = null!;
    private readonly Channel<JsonElement> _commands = Channel.CreateUnbounded<JsonElement>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private volatile WebSocket? _socket;

    public Uri WebSocketUri => _host.WebSocketUri;

    public static async Task<ScriptedServer> StartAsync()
    {
        var server = new ScriptedServer();
        server._host = await StubWebSocketHost.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>The next command named <paramref name="cmd"/> (other commands, e.g. pings, are skipped).</summary>
    public async Task<JsonElement> NextCommandAsync(string cmd, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? EventQueue<object>.DefaultTimeout);
        while (true)
        {
            var command = await _commands.Reader.ReadAsync(cts.Token);
            if (command.GetProperty("cmd").GetString() == cmd) return command;
        }
    }

    /// <summary>Sends one frame (serialized as JSON) on the current socket.</summary>
    public Task SendAsync(object frame) => SendAsync(_socket!, JsonSerializer.SerializeToUtf8Bytes(frame));

    private async Task SendAsync(WebSocket socket, byte[] frame)
    {
        using var cts = new CancellationTokenSource(EventQueue<object>.DefaultTimeout);
        await _sendLock.WaitAsync(cts.Token);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, cts.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task ReplyAsync(JsonElement command, object result) => SendAsync(new { id = command.GetProperty("id").GetInt64(), result });

    /// <summary>A publication on <c>ptt:r1_o1</c> at <paramref name="offset"/> of channel epoch "e1".</summary>
    public Task PublishAsync(long offset, object data) =>
        SendAsync(new { push = "pub", channel = "ptt:r1_o1", offset, epoch = "e1", time = 0, data });

    /// <summary>Answers a <c>subscribe</c> at <paramref name="offset"/>, without recovery.</summary>
    public async Task AcceptSubscribeAsync(long offset = 0) =>
        await ReplyAsync(await NextCommandAsync("subscribe"), new { epoch = "e1", offset, recovered = false });

    /// <summary>Ends the current socket without a close frame, as a lost network does.</summary>
    public void Drop() => _socket?.Abort();

    private async Task HandleAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _socket = socket;
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) return;
                var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
                var cmd = frame.GetProperty("cmd").GetString();
                if (cmd == "unsubscribe")
                {
                    // Answered here so a disposing client does not wait for its request timeout.
                    await SendAsync(socket, JsonSerializer.SerializeToUtf8Bytes(new { id = frame.GetProperty("id").GetInt64(), result = new { } }));
                    continue;
                }
                if (cmd != "connect")
                {
                    _commands.Writer.TryWrite(frame);
                    continue;
                }
                var reply = JsonSerializer.Serialize(new
                {
                    id = frame.GetProperty("id").GetInt64(),
                    result = new
                    {
                        connection_id = "c_scripted", node_id = "scripted",
                        user = new { user_id = "u1", name = "u1", role = "pickup_driver", region_id = "r1", office_id = "o1", office = "r1_o1" },
                        server_time = 0, ping_interval_ms = 25_000, max_message_bytes = 65536, token_expires_at = 0,
                    },
                });
                await SendAsync(socket, Encoding.UTF8.GetBytes(reply));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
