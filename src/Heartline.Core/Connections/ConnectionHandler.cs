using System.Net.WebSockets;
using System.Security.Cryptography;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Connections;

/// <summary>
/// Owns each connection's whole life: accept → handshake (<c>connect</c>) → register → run the loops → unregister
/// and run its disconnect actions in <c>finally</c>, whatever ended it.
/// </summary>
internal sealed partial class ConnectionHandler(
    ConnectionRegistry registry,
    CommandDispatcher dispatcher,
    ChannelHub hub,
    PresenceTracker presence,
    DisconnectActions disconnectActions,
    IConnectionStore connectionStore,
    TokenValidator tokens,
    ConnectRateLimiter rateLimiter,
    PresenceScopes presenceScopes,
    ConnectInfo connectInfo,
    BinaryFrameRouter binaryFrames,
    HeartlineMetrics metrics,
    IOptions<RealtimeOptions> realtimeOptions,
    IOptions<PresenceOptions> presenceOptions,
    IEnumerable<IConnectionObserver> observers,
    IEnumerable<IConnectGate> gates,
    TimeProvider time,
    ILogger<ConnectionHandler> logger,
    ILoggerFactory loggerFactory)
{
    /// <summary>The WebSocket subprotocol a client may offer; the server then selects it (docs/protocol.md 1).</summary>
    internal const string SubProtocol = "heartline.v1";
    private readonly RealtimeOptions _options = realtimeOptions.Value;
    private readonly IConnectionObserver[] _observers = [.. observers];
    private readonly IConnectGate[] _gates = [.. gates];
    private readonly ILogger _connectionLogger = loggerFactory.CreateLogger<ClientConnection>();
    private volatile bool _stopping;
    // Connections between accept and the end of their teardown (disconnect actions included); completes the drain
    // once it reaches zero while stopping, so shutdown waits for teardowns instead of polling.
    private int _active;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once stopping began: new sockets are refused (503).</summary>
    internal bool IsStopping => _stopping;

    /// <summary><c>/ws</c> through the HTTP pipeline: an upgrade <see cref="DirectUpgrade"/> did not take, or every one when it is off.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!rateLimiter.TryAcquire(ip, out var retryAfter))
        {
            await HttpProblems.TooManyRequestsAsync(http, retryAfter).ConfigureAwait(false);
            return;
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("WebSocket upgrade required").ConfigureAwait(false);
            return;
        }
        if (_stopping)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol) ? SubProtocol : null,
            KeepAliveInterval = KeepAlivePeriod(_options.KeepAliveIntervalSeconds),
            KeepAliveTimeout = KeepAlivePeriod(_options.KeepAliveTimeoutSeconds),
        }).ConfigureAwait(false);
        await RunAsync(socket, ip).ConfigureAwait(false);
    }

    /// <summary>A server WebSocket over an upgraded connection's <paramref name="stream"/>, with the same settings as over HTTP.</summary>
    internal WebSocket CreateSocket(Stream stream, bool heartlineProtocol) => WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
    {
        IsServer = true,
        SubProtocol = heartlineProtocol ? SubProtocol : null,
        KeepAliveInterval = KeepAlivePeriod(_options.KeepAliveIntervalSeconds),
        KeepAliveTimeout = KeepAlivePeriod(_options.KeepAliveTimeoutSeconds),
    });

    /// <summary>Runs an accepted socket from its handshake to the end of its teardown.</summary>
    internal async Task RunAsync(WebSocket socket, string ip)
    {
        var id = "c_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9));
        var connection = new ClientConnection(id, socket, ip, _options, time, metrics, _connectionLogger);
        var session = new Session(connection, new TokenBucket(_options.CommandRatePerSecond, _options.CommandBurst, time));
        metrics.ConnectionOpened();
        Interlocked.Increment(ref _active);
        registry.Add(connection);
        Log.Accepted(logger, id, ip);
        // Accepted while BeginStop was walking the registry: it may not have seen this one.
        if (_stopping) connection.Close(CloseCodes.Shutdown, "server shutting down");
        using var handshakeTimer = time.CreateTimer(static state =>
        {
            var c = (ClientConnection)state!;
            if (c.Principal is null) c.Close(CloseCodes.HandshakeTimeout, "no connect command in time");
        }, connection, TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), Timeout.InfiniteTimeSpan);
        try
        {
            await connection.RunAsync((c, type, data) => OnMessageAsync(session, type, data)).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await EndAsync(session).ConfigureAwait(false);
            }
            finally
            {
                if (Interlocked.Decrement(ref _active) == 0 && _stopping) _drained.TrySetResult();
            }
        }
    }

    /// <summary>
    /// What to ask of .NET's WebSocket so that it pings at most every <paramref name="seconds"/> and aborts at most
    /// that long after an unanswered ping (docs/protocol.md 3): it checks on a timer of a quarter of the shorter period
    /// and acts once a period has strictly passed, i.e. at 1.25× what it was given; 0.8× makes that the setting.
    /// </summary>
    internal static TimeSpan KeepAlivePeriod(int seconds) => TimeSpan.FromMilliseconds(seconds * 800L);

    /// <summary>Refuses new connections from now on (the open ones stay until <see cref="StopAsync"/>).</summary>
    public void BeginStop() => _stopping = true;

    /// <summary>
    /// Stops in three steps, so that nothing is left hanging for the clients: (1) runs every connection's disconnect
    /// actions (reason <c>server_shutdown</c>) while all connections are still open, and waits until what they
    /// published reached the local subscribers' send queues (a PTT listener gets its <c>session_ended</c>); (2) closes
    /// every connection with <c>shutdown</c> (4000), each after the frames queued before it; (3) waits until each
    /// teardown (the connection row) has finished, so storage is still up for it. Steps 1 and 3 are each bounded by the
    /// close timeout plus 3 s and by the host's shutdown token.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        var bound = TimeSpan.FromSeconds(_options.CloseTimeoutSeconds + 3);
        try
        {
            var actions = registry.All.Where(c => c.Record is not null).Select(c =>
                disconnectActions.RunAsync(c.Record!, DisconnectReasons.ServerShutdown, loadFromStore: false, CancellationToken.None));
            await Task.WhenAll(actions).WaitAsync(bound, time, cancellationToken).ConfigureAwait(false);
            await hub.Broker.FlushAsync(cancellationToken).WaitAsync(bound, time, cancellationToken).ConfigureAwait(false);
            // A publication queued behind another thread's fan-out is sent by that thread: wait until it was.
            await hub.FanoutsSentAsync().WaitAsync(bound, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.StopTimedOut(logger, Volatile.Read(ref _active));
        }
        foreach (var connection in registry.All) connection.Close(CloseCodes.Shutdown, "server shutting down");
        if (Volatile.Read(ref _active) == 0) return;
        try
        {
            await _drained.Task.WaitAsync(bound, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.StopTimedOut(logger, Volatile.Read(ref _active));
        }
    }

    private async Task EndAsync(Session session)
    {
        var connection = session.Connection;
        registry.Remove(connection);
        metrics.ConnectionClosed();
        if (connection.Principal is null)
        {
            Log.Ended(logger, connection.Id, "unauthenticated");
            return;
        }
        var reason = ReasonOf(connection);
        // The connection is gone: nothing to wait for before going on.
        foreach (var channel in connection.Subscriptions) _ = hub.Unsubscribe(connection, channel);
        presence.Remove(connection);
        var record = connection.Record!;
        foreach (var observer in _observers)
        {
            try { observer.OnDisconnected(connection, reason); }
            catch (Exception ex) { Log.ObserverFailed(logger, ex, observer.GetType().Name); }
        }
        try
        {
            // Shutdown must not be cancelled half-way through an action: CancellationToken.None, actions are short.
            await disconnectActions.RunAsync(record, reason, loadFromStore: false, CancellationToken.None).ConfigureAwait(false);
            await connectionStore.EndAsync(connection.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The row stays open: the presence sweeper's orphan check (OrphanedConnectionCleanup) finishes it within
            // about two minutes, or the next start's cleanup does.
            Log.TeardownFailed(logger, ex, connection.Id);
        }
        Log.Ended(logger, connection.Id, reason);
    }

    private string ReasonOf(ClientConnection connection)
    {
        if (_stopping) return DisconnectReasons.ServerShutdown;
        if (connection.ClosedByServer) return DisconnectReasons.ServerClosedPrefix + connection.CloseCode.Name;
        return connection.ClosedByClient ? DisconnectReasons.ClientClosed : DisconnectReasons.ConnectionLost;
    }

    /// <summary>Per-connection state that only the receive loop touches.</summary>
    private sealed class Session(ClientConnection connection, TokenBucket bucket)
    {
        public ClientConnection Connection { get; } = connection;
        public TokenBucket Bucket { get; } = bucket;
        public Queue<long> RateLimitedAt { get; } = new();
        public bool Connecting { get; set; }
    }
}
