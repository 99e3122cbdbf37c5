using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Threading.Channels;
using Heartline.Core.Auth;
using Heartline.Core.Operations;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

/// <summary>
/// One WebSocket: a bounded outbound queue drained by one send loop, and one receive loop. The
/// <see cref="ConnectionHandler"/> owns its lifetime; modules only enqueue frames and read its identity.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The abort source outlives the connection (modules may call Close or read Aborted after it ended); it is cancelled, which releases its timer, when the connection ends.")]
public sealed partial class ClientConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<OutboundFrame> _queue;
    private readonly RealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly HeartlineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort;
    private long _queuedBytes;
    private int _closeRequested;
    private CloseCode _closeCode = CloseCodes.Normal;
    private string _closeReason = "";
    private volatile bool _discardPending;
    private long _lastSeenMs;

    internal ClientConnection(string id, WebSocket socket, string remoteIp, RealtimeOptions options, TimeProvider time,
        HeartlineMetrics metrics, ILogger logger)
    {
        Id = id;
        _socket = socket;
        RemoteIp = remoteIp;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _queue = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            // The send loop resumes on the enqueuing thread instead of a thread-pool hop per frame and recipient: it only
            // hands the frame to Kestrel's output pipe (whose socket writes run on Kestrel's own I/O queue) and parks
            // again, and it takes no lock a sender could hold. docs/benchmarks.md has the before/after figures.
            AllowSynchronousContinuations = true,
        });
        ConnectedAt = time.GetUtcNow();
        _lastSeenMs = ConnectedAt.ToUnixTimeMilliseconds();
    }

    public string Id { get; }

    public string RemoteIp { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Who the connection is: set once by <c>connect</c>; null before.</summary>
    public Principal? Principal { get; private set; }

    /// <summary>The connection as persisted, once <c>connect</c> succeeded (its disconnect actions are keyed by it).</summary>
    internal Presence.ConnectionRecord? Record { get; set; }

    /// <summary>The presence scopes the connection is announced in (<see cref="Presence.IPresenceScopes"/>), set by <c>connect</c>.</summary>
    public IReadOnlyList<string> Scopes { get; private set; } = [];

    /// <summary>The app kind the client declared (defaults to the principal's primary role).</summary>
    public string AppType { get; private set; } = "";

    public string? Device { get; private set; }

    public string? ClientName { get; private set; }

    /// <summary>Unix ms of the last inbound frame: any frame is a sign of life.</summary>
    public long LastSeenMs => Volatile.Read(ref _lastSeenMs);

    /// <summary>Cancelled when the connection is being torn down.</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>The close code the server chose, or <see cref="CloseCodes.Normal"/>.</summary>
    public CloseCode CloseCode => _closeCode;

    public bool IsClosing => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>True when the client sent the close frame first.</summary>
    public bool ClosedByClient { get; private set; }

    /// <summary>
    /// True when the server asked for the close (<see cref="Close"/>) before the client closed or the socket failed;
    /// <see cref="IsClosing"/> is also true after those, since nothing more may be sent then.
    /// </summary>
    public bool ClosedByServer => Volatile.Read(ref _closedByServer);

    private bool _closedByServer;

    /// <summary>Per-connection state of modules (for example the PTT membership). Keys are module names.</summary>
    /// <remarks>Created on first use: most connections never need it, and tens of thousands of empty dictionaries add up.</remarks>
    public ConcurrentDictionary<string, object> Items =>
        LazyInitializer.EnsureInitialized(ref _items, static () => new ConcurrentDictionary<string, object>(StringComparer.Ordinal));

    private ConcurrentDictionary<string, object>? _items;

    private static readonly TimeSpan LongestExpiry = TimeSpan.FromDays(30);
    private ITimer? _expiry;

    /// <summary>
    /// Closes the connection with <c>4005</c> after <paramref name="due"/> (its token's life); a later call (<c>refresh</c>)
    /// moves the time. Beyond 30 days nothing is scheduled.
    /// </summary>
    internal void ExpireAfter(TimeSpan due)
    {
        due = due > LongestExpiry ? Timeout.InfiniteTimeSpan : due < TimeSpan.Zero ? TimeSpan.Zero : due;
        if (_expiry is { } timer)
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
            return;
        }
        if (due == Timeout.InfiniteTimeSpan) return;
        _expiry = _time.CreateTimer(static state => ((ClientConnection)state!).Close(CloseCodes.TokenExpired, "token expired"), this,
            due, Timeout.InfiniteTimeSpan);
        Aborted.Register(static t => ((ITimer)t!).Dispose(), _expiry);
    }

    /// <summary>The same principal with a later expiry (<c>refresh</c>).</summary>
    internal void Refresh(Principal principal) => Principal = principal;

    /// <summary>Channels this connection subscribed to; only the receive loop and teardown touch it.</summary>
    internal HashSet<string> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Channels with presence (<see cref="Channels.IChannelPolicy.HasPresence"/>) this connection is present in as a
    /// subscriber, besides its <see cref="Scopes"/>; only the receive loop and teardown touch it.
    /// </summary>
    internal HashSet<string> PresenceChannels { get; } = new(StringComparer.Ordinal);

    internal void Authenticate(Principal principal, IReadOnlyList<string> scopes, string appType, string? device, string? clientName)
    {
        AppType = appType;
        Device = device;
        ClientName = clientName;
        Scopes = scopes;
        Principal = principal;
    }

    /// <summary>Queues a text frame. False when the connection is closing or was just closed as a slow consumer.</summary>
    public bool Send(byte[] frame) => Enqueue(new OutboundFrame(frame, false, 0));

    /// <summary>
    /// Queues a binary media frame, or drops it when the queue already holds more than the media threshold: late audio
    /// is worth less than no audio.
    /// </summary>
    public bool SendMedia(ReadOnlyMemory<byte> frame)
    {
        if (_queue.Reader.Count >= _options.MediaDropThreshold)
        {
            _metrics.MediaDropped();
            return false;
        }
        return Enqueue(new OutboundFrame(frame, true, _time.GetTimestamp()));
    }

    private bool Enqueue(in OutboundFrame frame)
    {
        if (_discardPending) return false;
        var bytes = Interlocked.Add(ref _queuedBytes, frame.Data.Length);
        if (bytes <= _options.SendQueueMaxBytes && _queue.Writer.TryWrite(frame)) return true;
        Interlocked.Add(ref _queuedBytes, -frame.Data.Length);
        if (IsClosing) return false;
        _metrics.QueueOverflow();
        Log.SlowConsumer(_logger, Id, _queue.Reader.Count, bytes);
        Close(CloseCodes.SlowConsumer, "send queue overflow", discardPending: true);
        return false;
    }

    /// <summary>
    /// Asks for the socket to close with <paramref name="code"/>: queued frames are sent first unless
    /// <paramref name="discardPending"/>; the whole close is bounded by the close timeout, then the socket is aborted.
    /// </summary>
    public void Close(CloseCode code, string reason, bool discardPending = false)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0) return;
        Volatile.Write(ref _closedByServer, true);
        _closeCode = code;
        _closeReason = reason;
        if (discardPending) _discardPending = true;
        _queue.Writer.TryComplete();
        _abort.CancelAfter(TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
    }

    /// <summary>Runs both loops until the socket is closed or aborted. Never throws for a client's fault.</summary>
    internal async Task RunAsync(Func<ClientConnection, WebSocketMessageType, ReadOnlyMemory<byte>, ValueTask> onMessage)
    {
        var sending = SendLoopAsync();
        var receiving = ReceiveLoopAsync(onMessage);
        var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        // The client closed or the socket failed: stop sending. Or we sent our close: wait for the client's echo.
        // Either way the other side gets the close timeout to finish.
        if (first == receiving)
        {
            // Nothing more will be sent: later publications to this connection are refused quietly, not taken
            // for a slow consumer.
            Interlocked.Exchange(ref _closeRequested, 1);
            _queue.Writer.TryComplete();
        }
        _abort.CancelAfter(TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
        await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        // Aborting a cleanly closed socket would reset the TCP connection and could lose the last frames in flight.
        if (_socket.State != WebSocketState.Closed) _socket.Abort();
        _socket.Dispose();
        // Not disposed: modules may still call Close() or read Aborted after the connection ended.
        await _abort.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Takes a queued frame without sending it (unit tests of engines run without a socket).</summary>
    internal bool TryTakeQueued(out OutboundFrame frame)
    {
        if (!_queue.Reader.TryRead(out frame)) return false;
        Interlocked.Add(ref _queuedBytes, -frame.Data.Length);
        return true;
    }

    /// <summary>Marks a sign of life now (the receive loop does this for every frame; tests without a socket call it).</summary>
    internal void MarkSeen() => Touch();

    private void Touch() => Volatile.Write(ref _lastSeenMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
}
