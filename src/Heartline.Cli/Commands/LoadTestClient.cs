using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Heartline.Cli.Commands;

/// <summary>A command's reply as the load generator sees it: when it was sent and received, and its outcome.</summary>
internal readonly record struct LoadReply(long SentAt, long ReceivedAt, string? ErrorCode, JsonElement Result)
{
    public bool Ok => ErrorCode is null;

    public double Milliseconds => Stopwatch.GetElapsedTime(SentAt, ReceivedAt).TotalMilliseconds;
}

/// <summary>
/// One raw WebSocket speaking the Heartline protocol with as little work per frame as possible, so the load generator
/// measures the server and not itself. Sends are serialized by one lock (one send path per socket); the receive loop
/// hands every push and binary frame to callbacks with the arrival timestamp taken before any parsing.
/// </summary>
internal sealed class LoadTestClient : IAsyncDisposable
{
    private static readonly byte[] PushMarker = "\"push\""u8.ToArray();
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<LoadReply>> _pending = new();
    private readonly ConcurrentDictionary<long, long> _sentAt = new();
    private long _nextId;
    private Task _receiving = Task.CompletedTask;

    public LoadTestClient(int office, int index)
    {
        Office = office;
        Index = index;
        // The server pings every 10 s and the socket answers by itself; no client-side pings are needed.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        // So that a refused upgrade (429 from the connect-rate limit) is reported by its status code.
        _socket.Options.CollectHttpResponseDetails = true;
    }

    /// <summary>The <see cref="Index"/> of an office's speaker; members count from 0.</summary>
    public const int SpeakerIndex = -1;

    public bool IsSpeaker => Index == SpeakerIndex;

    /// <summary>The last audio sequence number received; only this client's receive loop touches it.</summary>
    public uint LastSequence { get; set; }

    /// <summary>The HTTP status of the upgrade response (101 on success, e.g. 429 when refused).</summary>
    public int? HttpStatusCode => (int)_socket.HttpStatusCode;

    /// <summary>The office's position in the run (0-based).</summary>
    public int Office { get; }

    /// <summary>The client's position within its office (0-based).</summary>
    public int Index { get; }

    /// <summary>A text push (no <c>id</c>), with the timestamp of its arrival.</summary>
    public Action<LoadTestClient, ReadOnlyMemory<byte>, long>? OnPush { get; set; }

    /// <summary>A binary frame, with the timestamp of its arrival.</summary>
    public Action<LoadTestClient, ReadOnlyMemory<byte>, long>? OnBinary { get; set; }

    /// <summary>Completes when the socket is gone; the close status or error, if any, is its result.</summary>
    public Task Closed => _receiving;

    public bool IsOpen => _socket.State == WebSocketState.Open;

    public async Task OpenAsync(Uri uri, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(uri, invoker, cancellationToken).ConfigureAwait(false);
        // The upgrade's headers are not needed after the handshake; tens of thousands of sockets would keep them.
        _socket.HttpResponseHeaders = null;
        _receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>Sends a command and waits for its reply; <paramref name="argsJson"/> is the raw JSON of <c>args</c>.</summary>
    public Task<LoadReply> RequestAsync(string command, string argsJson, CancellationToken cancellationToken, Action<long>? stamp = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<LoadReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var frame = Encoding.UTF8.GetBytes($"{{\"id\":{id},\"cmd\":\"{command}\",\"args\":{argsJson}}}");
        return SendAndWaitAsync(id, frame, reply, stamp, cancellationToken);
    }

    private async Task<LoadReply> SendAndWaitAsync(long id, byte[] frame, TaskCompletionSource<LoadReply> reply, Action<long>? stamp,
        CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(frame, WebSocketMessageType.Text, id, cancellationToken, stamp).ConfigureAwait(false);
            using var registration = cancellationToken.Register(static state => ((TaskCompletionSource<LoadReply>)state!).TrySetCanceled(), reply);
            return await reply.Task.ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
            _sentAt.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a binary frame; returns the timestamp taken just before the socket write.</summary>
    public Task<long> SendBinaryAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        SendAsync(frame, WebSocketMessageType.Binary, 0, cancellationToken);

    /// <summary>
    /// Writes one message under the send lock. The timestamp is taken after the lock is held, right before the write,
    /// and handed to <paramref name="stamp"/> first so a reply racing the write still finds it.
    /// </summary>
    public async Task<long> SendAsync(ReadOnlyMemory<byte> frame, WebSocketMessageType type, long replyId, CancellationToken cancellationToken,
        Action<long>? stamp = null)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = Stopwatch.GetTimestamp();
            if (replyId != 0) _sentAt[replyId] = now;
            stamp?.Invoke(now);
            await _socket.SendAsync(frame, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return now;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(2048);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = grown;
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                    count += result.Count;
                } while (!result.EndOfMessage);
                var arrived = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close) return;
                var message = buffer.AsMemory(0, count);
                if (result.MessageType == WebSocketMessageType.Binary) OnBinary?.Invoke(this, message, arrived);
                else if (message.Span.IndexOf(PushMarker) >= 0) OnPush?.Invoke(this, message, arrived);
                else CompleteReply(message.Span, arrived);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var pending in _pending.Values) pending.TrySetException(new WebSocketException("connection lost"));
        }
    }

    private void CompleteReply(ReadOnlySpan<byte> message, long arrived)
    {
        using var document = JsonDocument.Parse(message.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id)) return;
        if (!_pending.TryRemove(id, out var reply)) return;
        _sentAt.TryRemove(id, out var sentAt);
        var error = root.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() ?? "error" : null;
        var result = root.TryGetProperty("result", out var r) ? r.Clone() : default;
        reply.TrySetResult(new LoadReply(sentAt, arrived, error, result));
    }

    /// <summary>Closes politely, bounded; aborts when the server does not answer in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                await _receiving.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException or IOException)
        {
        }
        _socket.Abort();
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
