using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Heartline.Tests.Infrastructure;

/// <summary>A reply frame: either a result or an error.</summary>
public readonly record struct Reply(JsonElement Frame)
{
    public bool IsOk => Frame.TryGetProperty("result", out _);
    public JsonElement Result => Frame.GetProperty("result");
    public string? ErrorCode => Frame.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null;

    public void AssertOk()
    {
        if (!IsOk) throw new Xunit.Sdk.XunitException("expected a result, got " + Frame.GetRawText());
    }
}

/// <summary>
/// A raw WebSocket test client speaking the protocol by hand (not the SDK), so tests check the wire format itself.
/// Every wait is bounded.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _pushes = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<byte[]> _binary = Channel.CreateUnbounded<byte[]>();
    private readonly Dictionary<long, TaskCompletionSource<JsonElement>> _pending = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _receiving;
    private readonly TaskCompletionSource<(WebSocketCloseStatus?, string?)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;

    private WsClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public string? ConnectionId { get; set; }

    /// <summary>Replies whose id had no pending request (a second reply to one command, for one).</summary>
    public ConcurrentQueue<JsonElement> UnexpectedReplies { get; } = new();

    /// <summary>Pauses the receive loop (simulates a client that stops reading).</summary>
    public bool Paused { get; set; }

    public WebSocketState State => _socket.State;

    public static async Task<WsClient> OpenAsync(Uri uri, bool paused = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, cts.Token);
        return new WsClient(socket) { Paused = paused };
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] data, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync(DefaultTimeout);
        try
        {
            using var cts = new CancellationTokenSource(DefaultTimeout);
            await _socket.SendAsync(data, type, true, cts.Token);
        }
        finally { _sendLock.Release(); }
    }

    /// <summary>Sends a command and waits for its reply.</summary>
    public async Task<Reply> RequestAsync(string cmd, object? args = null, TimeSpan? timeout = null)
    {
        var (_, sent, reply) = SendCommand(cmd, args);
        await sent;
        return new Reply(await reply.WaitAsync(timeout ?? DefaultTimeout));
    }

    /// <summary>Sends a hand-written frame and waits for the reply carrying <paramref name="id"/>.</summary>
    public async Task<Reply> RequestRawAsync(long id, string json, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock) _pending[id] = tcs;
        await SendTextAsync(json);
        return new Reply(await tcs.Task.WaitAsync(timeout ?? DefaultTimeout));
    }

    /// <summary>Sends a command; <c>Reply</c> completes with the reply frame.</summary>
    public (long Id, Task Sent, Task<JsonElement> Reply) SendCommand(string cmd, object? args = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock) _pending[id] = tcs;
        var json = JsonSerializer.Serialize(new { id, cmd, args });
        return (id, SendTextAsync(json), tcs.Task);
    }

    /// <summary>The next push (a frame without id) matching <paramref name="predicate"/>; earlier non-matching pushes are dropped.</summary>
    public async Task<JsonElement> NextPushAsync(Func<JsonElement, bool>? predicate = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var push = await _pushes.Reader.ReadAsync(cts.Token);
            if (predicate is null || predicate(push)) return push;
        }
    }

    public Task<JsonElement> NextPushAsync(string type, TimeSpan? timeout = null) =>
        NextPushAsync(p => p.TryGetProperty("push", out var t) && t.GetString() == type, timeout);

    public bool TryTakePush(out JsonElement push) => _pushes.Reader.TryRead(out push);

    public async Task<byte[]> NextBinaryAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        return await _binary.Reader.ReadAsync(cts.Token);
    }

    public bool TryTakeBinary(out byte[] frame) => _binary.Reader.TryRead(out frame!);

    /// <summary>Completes with the close status when the server closes the socket (or null status when it was aborted).</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> Closed => _closed.Task;

    public async Task<int?> WaitClosedAsync(TimeSpan? timeout = null)
    {
        var (status, _) = await _closed.Task.WaitAsync(timeout ?? DefaultTimeout);
        return (int?)status;
    }

    /// <summary>Drops the TCP connection without a close handshake, like a phone entering a tunnel.</summary>
    public void Abort() => _socket.Abort();

    public async Task CloseAsync()
    {
        if (_socket.State != WebSocketState.Open) return;
        using var cts = new CancellationTokenSource(DefaultTimeout);
        try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token); }
        catch (WebSocketException) { }
        catch (OperationCanceledException) { _socket.Abort(); }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                while (Paused) await Task.Delay(10);
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((_socket.CloseStatus, _socket.CloseStatusDescription));
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); }
                        catch (WebSocketException) { }
                    }
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    _binary.Writer.TryWrite(buffer.AsSpan(0, count).ToArray());
                    continue;
                }
                var frame = JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
                if (frame.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var id))
                {
                    TaskCompletionSource<JsonElement>? tcs;
                    lock (_lock) _pending.Remove(id, out tcs);
                    if (tcs is null) UnexpectedReplies.Enqueue(frame);
                    else tcs.TrySetResult(frame);
                }
                else
                {
                    _pushes.Writer.TryWrite(frame);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult((_socket.CloseStatus, _socket.CloseStatusDescription));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _socket.Abort();
        await _receiving.WaitAsync(DefaultTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
