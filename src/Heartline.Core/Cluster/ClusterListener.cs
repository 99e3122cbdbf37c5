using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>Receives the payloads of one NOTIFY channel on the node's listening connection.</summary>
internal interface IClusterNotificationHandler
{
    string NotifyChannel { get; }

    /// <summary>Called on the listener's loop for each notification: must be quick and must not throw.</summary>
    void OnNotification(string payload);

    /// <summary>The listener (re)connected: notifications sent while it was away are lost, so catch up.</summary>
    void OnListening();
}

/// <summary>
/// The node's one LISTEN connection. NOTIFY is only a wake-up (payloads are tiny, delivered on commit, in commit
/// order); the data stays in tables. When the connection fails the listener reconnects and tells each handler to read
/// again what it may have missed, so nothing is lost.
/// </summary>
internal sealed partial class ClusterListener(ClusterDatabase database, IEnumerable<IClusterNotificationHandler> handlers,
    TimeProvider time, ILogger<ClusterListener> logger) : BackgroundService
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, IClusterNotificationHandler> _handlers = handlers.ToDictionary(h => h.NotifyChannel, StringComparer.Ordinal);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN succeeded.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Times the connection was (re)established.</summary>
    public int Connects { get; private set; }

    /// <summary>The backend process of the listening connection (tests terminate it to simulate a network failure).</summary>
    public int? ListenerProcessId { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        // Publications committed after startup must not slip by before the first LISTEN: wait for it (bounded).
        await Listening.WaitAsync(TimeSpan.FromSeconds(30), time, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnect = Reconnection.Create(time, (ex, delay) => Log.ConnectFailed(logger, ex, delay.TotalMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Each outage starts its backoff afresh: the pipeline is asked again after every lost connection.
                var connection = await reconnect.ExecuteAsync(ConnectAsync, stoppingToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false)) await ListenAsync(connection, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ListenFailed(logger, ex);
            }
        }
    }

    /// <summary>Opens the listening connection and subscribes to every handler's channel.</summary>
    private async ValueTask<NpgsqlConnection> ConnectAsync(CancellationToken stoppingToken)
    {
        var connection = await database.DataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            await using var listen = connection.CreateCommand();
            listen.CommandText = string.Join(";", _handlers.Keys.Select(c => $"LISTEN \"{c}\""));
            await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ListenAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        connection.Notification += OnNotification;
        ListenerProcessId = connection.ProcessID;
        Connects++;
        foreach (var handler in _handlers.Values) handler.OnListening();
        _listening.TrySetResult();
        Log.Listening(logger, database.NodeId);
        try
        {
            while (true)
            {
                // Idle for a while: a trivial query proves the connection still works (or throws and we reconnect).
                if (await connection.WaitAsync(IdleCheck, stoppingToken).ConfigureAwait(false)) continue;
                await using var ping = connection.CreateCommand();
                ping.CommandText = "SELECT 1";
                ping.CommandTimeout = 5;
                await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ListenerProcessId = null;
            connection.Notification -= OnNotification;
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!_handlers.TryGetValue(e.Channel, out var handler)) return;
        try { handler.OnNotification(e.Payload); }
        catch (Exception ex) { Log.HandlerFailed(logger, ex, e.Channel); }
    }

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Debug, "Node {NodeId} listens for cluster notifications.")]
        public static partial void Listening(ILogger logger, string nodeId);

        [LoggerMessage(5002, LogLevel.Warning, "The cluster listener lost its connection; reconnecting and catching up.")]
        public static partial void ListenFailed(ILogger logger, Exception exception);

        [LoggerMessage(5004, LogLevel.Warning, "The cluster listener could not connect; trying again in {DelayMs} ms.")]
        public static partial void ConnectFailed(ILogger logger, Exception exception, double delayMs);

        [LoggerMessage(5003, LogLevel.Error, "A cluster notification handler for {Channel} failed.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);
    }
}
