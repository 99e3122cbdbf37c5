using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Heartline.Bench.Cluster;

/// <summary>A raw protocol client: replies by id, pushes and binary frames to callbacks (called on the receive loop).</summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private long _nextId;

    public Action<JsonElement, long>? OnPush { get; set; }

    public Action<byte[], long>? OnBinary { get; set; }

    public static async Task<BenchClient> ConnectAsync(Uri node, string userId, string role, string office)
    {
        var minted = await Http.PostAsJsonAsync(new Uri(node, "/api/auth/dev-token"),
            new Dictionary<string, object> { ["user_id"] = userId, ["role"] = role, ["region_id"] = "r1", ["office_id"] = office });
        minted.EnsureSuccessStatusCode();
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = new BenchClient();
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await client._socket.ConnectAsync(new Uri($"ws://{node.Authority}/ws"), CancellationToken.None);
        client._receiving = Task.Run(client.ReceiveAsync);
        var reply = await client.RequestAsync("connect", new { token });
        if (!reply.TryGetProperty("result", out _)) throw new InvalidOperationException("connect failed: " + reply);
        return client;
    }

    public async Task<JsonElement> RequestAsync(string cmd, object? args = null)
    {
        var (_, reply) = await SendAsync(cmd, args);
        return await reply.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends a command; the returned task completes with its reply.</summary>
    public async Task<(long Id, Task<JsonElement> Reply)> SendAsync(string cmd, object? args = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(new { id, cmd, args }), WebSocketMessageType.Text);
        return (id, reply.Task);
    }

    public async Task SendRawAsync(byte[] data, WebSocketMessageType type)
    {
        await _send.WaitAsync();
        try { await _socket.SendAsync(data, type, true, CancellationToken.None); }
        finally { _send.Release(); }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                } while (!result.EndOfMessage);
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close) return;
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    OnBinary?.Invoke(buffer.AsSpan(0, count).ToArray(), now);
                    continue;
                }
                var frame = JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
                if (frame.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt64(), out var waiting)) waiting.TrySetResult(frame);
                else OnPush?.Invoke(frame, now);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_socket.State == WebSocketState.Open) await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
        _socket.Abort();
        await _receiving.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }

    public static string Text(JsonElement e) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(e));
}
