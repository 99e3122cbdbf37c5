using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Heartline.Client.Internal;

/// <summary>
/// One WebSocket: every outbound frame goes through one bounded queue drained by one send loop (a WebSocket allows
/// only one send at a time), one receive loop correlates replies with their commands, and an optional ping loop keeps
/// an idle connection alive. It never reconnects: <see cref="HeartlineClient"/> makes a new one.
/// </summary>
internal sealed partial class Connection : IAsyncDisposable
{
    private const string SubProtocol = "heartline.v1";
    private const int QueueCapacity = 1024;

    /// <summary>How long a close handshake may take before the socket is aborted (the server uses 2 s too).</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientWebSocket _socket;
    private readonly Channel<OutboundFrame> _queue;
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly Action<string, JsonElement> _onPush;
    private readonly Action<ReadOnlyMemory<byte>> _onBinary;
    private readonly TimeProvider _time;
    [SuppressMessage("Usage", "CA2213", Justification = "Cancelled when the connection ends (which releases its timer), never disposed: Abort and late requests may still read it.")]
    private readonly CancellationTokenSource _abort;
    private readonly TaskCompletionSource<CloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _openedAt;
    private Task _running = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;
    private long _nextId;
    private long _lastSentAt;
    private CloseInfo? _announced;
    private CloseInfo? _local;
    private int _disposed;

    private Connection(ClientWebSocket socket, TimeProvider time, Action<string, JsonElement> onPush, Action<ReadOnlyMemory<byte>> onBinary)
    {
        _socket = socket;
        _time = time;
        _onPush = onPush;
        _onBinary = onBinary;
        _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _queue = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _openedAt = time.GetTimestamp();
        _lastSentAt = _openedAt;
    }

    /// <summary>Completes with how the connection ended, once both loops have finished and the socket is disposed.</summary>
    public Task<CloseInfo> Completion => _completion.Task;

    /// <summary>How long the socket has been open.</summary>
    public TimeSpan Uptime => _time.GetElapsedTime(_openedAt);

    /// <summary>Opens the socket and starts the loops. <paramref name="onPush"/> and <paramref name="onBinary"/> run on the receive loop.</summary>
    public static async Task<Connection> OpenAsync(Uri uri, TimeProvider time, Action<string, JsonElement> onPush,
        Action<ReadOnlyMemory<byte>> onBinary, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException) when (socket.HttpStatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = Frames.RetryAfter(socket.HttpResponseHeaders);
            socket.Dispose();
            throw new HeartlineException("rate_limited", "too many connection attempts / 연결 시도가 너무 많습니다", retryAfter);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new Connection(socket, time, onPush, onBinary);
        connection._running = connection.RunAsync();
        return connection;
    }

    /// <summary>
    /// Sends a command and waits for its reply. <paramref name="onResult"/> runs on the receive loop before any later
    /// frame is handled. Throws <see cref="HeartlineException"/> for an error reply or a lost connection and
    /// <see cref="TimeoutException"/> when no reply came within <paramref name="timeout"/> (queueing included).
    /// </summary>
    public async Task<JsonElement> RequestAsync(string command, Action<Utf8JsonWriter>? writeArgs, Action<JsonElement>? onResult,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingRequest(onResult);
        _pending[id] = pending;
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await _queue.Writer.WriteAsync(new OutboundFrame(Frames.Command(id, command, writeArgs), false), linked.Token)
                .ConfigureAwait(false);
            return await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"no reply to '{command}' within {timeout.TotalSeconds:0.###} s / '{command}' 응답 시간 초과");
        }
        catch (ChannelClosedException)
        {
            throw Frames.NotConnected("connection closed / 연결이 닫혔습니다");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Queues a binary (media) frame. The bytes are copied, so the caller may reuse its buffer.</summary>
    public async Task SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(new OutboundFrame(data.ToArray(), true), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Frames.NotConnected("connection closed / 연결이 닫혔습니다");
        }
    }

    /// <summary>Starts sending <c>ping</c> whenever nothing was sent for <paramref name="interval"/>.</summary>
    public void StartPing(TimeSpan interval, TimeSpan timeout) => _pinging = PingLoopAsync(interval, timeout);

    /// <summary>Drops the socket without a close handshake; used when the server stopped answering.</summary>
    public void Abort(string reason)
    {
        if (_completion.Task.IsCompleted) return;
        _local ??= new CloseInfo(CloseInfo.Abnormal, reason);
        _socket.Abort();
        _abort.Cancel();
    }

    /// <summary>Closes gracefully: queued frames are sent, then the close handshake, all bounded by the close timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _local ??= new CloseInfo((int)WebSocketCloseStatus.NormalClosure, "closed by client / 클라이언트가 닫음");
            _queue.Writer.TryComplete();
            _abort.CancelAfter(CloseTimeout);
        }
        await _running.ConfigureAwait(false);
        await _pinging.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task PingLoopAsync(TimeSpan interval, TimeSpan timeout)
    {
        try
        {
            while (true)
            {
                var idle = _time.GetElapsedTime(Volatile.Read(ref _lastSentAt));
                if (idle < interval)
                {
                    await Task.Delay(interval - idle, _time, _abort.Token).ConfigureAwait(false);
                    continue;
                }
                await RequestAsync("ping", null, null, timeout, _abort.Token).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            // Any inbound frame would have answered; silence this long means the path is dead (e.g. a NAT dropped it).
            Abort("no reply to ping / 핑 응답 없음");
        }
        catch (Exception ex) when (ex is OperationCanceledException or HeartlineException or ObjectDisposedException)
        {
        }
    }
}
