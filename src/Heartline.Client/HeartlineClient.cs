using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Heartline.Client.Internal;

namespace Heartline.Client;

/// <summary>
/// A connection to a Heartline server that reconnects by itself with exponential backoff and full jitter, renews its
/// channel subscriptions with recovery, and keeps an idle connection alive with <c>ping</c>.
/// </summary>
/// <remarks>
/// Events are raised on the client's receive loop, one at a time and in the order the frames arrived: keep handlers
/// short and never block them on a reply (await it elsewhere). Exceptions thrown by handlers are caught and written to
/// <see cref="Trace"/>, so one faulty handler cannot drop the connection.
/// </remarks>
public sealed partial class HeartlineClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions ArgsOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HeartlineClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Backoff _backoff;
    [SuppressMessage("Usage", "CA2213", Justification = "Cancelled on dispose, never disposed: background loops read its token while they wind down; it owns no timer.")]
    private readonly CancellationTokenSource _lifetime = new();
    private Connection? _connection;
    private Task _running = Task.CompletedTask;
    private int _state = (int)HeartlineConnectionState.Disconnected;
    private int _started;
    private bool _connectedBefore;

    /// <summary>Creates a client; nothing is opened until <see cref="ConnectAsync"/>.</summary>
    /// <exception cref="ArgumentException">A required option is missing or out of range.</exception>
    public HeartlineClient(HeartlineClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = options.TimeProvider;
        _backoff = new Backoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.ResetBackoffAfter);
    }

    /// <summary>The options this client was created with (the PTT layer reuses the server address and token provider).</summary>
    internal HeartlineClientOptions Options => _options;

    /// <summary>The current state.</summary>
    public HeartlineConnectionState State => (HeartlineConnectionState)Volatile.Read(ref _state);

    /// <summary>The server's id of the current (or last) connection; null before the first one.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>Who the token identifies, from the last <c>connect</c> reply; null before the first one.</summary>
    public HeartlineUser? User { get; private set; }

    /// <summary>A connection was established (first connection or reconnect).</summary>
    public event EventHandler<ConnectedEventArgs>? Connected;

    /// <summary>
    /// A connection ended, with <see cref="DisconnectedEventArgs.WillReconnect"/> telling whether the client retries.
    /// Also raised when reconnecting stops because the server refused the token (close code 4500).
    /// </summary>
    public event EventHandler<DisconnectedEventArgs>? Disconnected;

    /// <summary>Every push frame, <c>pub</c> and module pushes included, as it arrives.</summary>
    public event EventHandler<PushEventArgs>? Push;

    /// <summary>A binary (media) frame arrived.</summary>
    public event EventHandler<BinaryReceivedEventArgs>? BinaryReceived;

    /// <summary>
    /// Opens the first connection and completes <c>connect</c>; from then on the client reconnects by itself. A failed
    /// first attempt is not retried: the exception says why, and the method may be called again.
    /// </summary>
    /// <exception cref="HeartlineException">The server refused <c>connect</c> (for example <c>unauthorized</c> or
    /// <c>token_expired</c>) or answered the upgrade with 429 (<c>rate_limited</c>).</exception>
    /// <exception cref="TimeoutException">No <c>connect</c> reply within <see cref="HeartlineClientOptions.RequestTimeout"/>.</exception>
    /// <exception cref="System.Net.WebSockets.WebSocketException">The socket could not be opened.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("ConnectAsync was already called / 이미 연결을 시작했습니다");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        Connection connection;
        try
        {
#pragma warning disable CA2000 // Handed to RunAsync, which disposes it when it ends.
            connection = await OpenAsync(linked.Token).ConfigureAwait(false);
#pragma warning restore CA2000
        }
        catch
        {
            SetState(HeartlineConnectionState.Disconnected);
            Volatile.Write(ref _started, 0);
            throw;
        }
        _running = RunAsync(connection);
    }

    /// <summary>Closes the connection (bounded close handshake) and stops reconnecting. The client cannot be reused.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested) return;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SetState(HeartlineConnectionState.Closed);
    }

    private void SetState(HeartlineConnectionState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>The open connection, or a <c>not_connected</c> exception that says what the client is doing instead.</summary>
    private Connection RequireConnection()
    {
        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        if (Volatile.Read(ref _connection) is { } connection && State == HeartlineConnectionState.Connected) return connection;
        throw Frames.NotConnected($"not connected (state: {State}) / 연결되어 있지 않습니다");
    }

    private void Raise<T>(EventHandler<T>? handler, T args) => RaiseEvent(this, handler, args);

    internal static void RaiseEvent<T>(object sender, EventHandler<T>? handler, T args)
    {
        if (handler is null) return;
        try
        {
            handler(sender, args);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"Heartline.Client: a {typeof(T).Name} handler threw: {ex}");
        }
    }
}
