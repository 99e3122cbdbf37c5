using Dapper;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>
/// This node's membership: it registers a <c>nodes</c> row and heartbeats it; each beat it also looks for nodes whose
/// heartbeat is older than the timeout, claims each one's cleanup with a conditional update (so exactly one survivor
/// runs it), refreshes the audio peers and reconciles presence. A node that finds it was declared lost (a long
/// pause) closes its connections, whose clients reconnect, and registers again.
/// </summary>
internal sealed partial class ClusterNode(ClusterDatabase database, IOptions<ClusterOptions> options, NodeLossCleanup cleanup,
    ClusterPresenceBackend presence, PeerLinks peers, ConnectionRegistry registry, IServer server, TimeProvider time,
    ILogger<ClusterNode> logger, Presence.PresenceTracker tracker,
    // Taken for its construction-time check: two handlers of one peer-message kind fail the start.
#pragma warning disable CS9113
    PeerEndpoint peerEndpoint) : BackgroundService
#pragma warning restore CS9113
{
    private long _startedAt;

    // When this node's own heartbeats last succeeded, and since when they have succeeded without a gap longer than the
    // node timeout. After such a gap (the database was unreachable for everyone, say a failover) every peer's heartbeat
    // looks stale only because nobody could write it: peers are judged again once this node has beaten for a whole
    // timeout, which gives them the same time to beat.
    private long? _lastBeatAt;
    private long _beatingSince;

    private long TimeoutMs => options.Value.NodeTimeoutSeconds * 1000L;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = NowMs();
        await RegisterAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.TickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One heartbeat round (tests call it directly on a manual clock).</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        if (!await BeatAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.Fenced(logger, database.NodeId);
            foreach (var connection in registry.All) connection.Close(CloseCodes.Shutdown, "node was declared lost");
            // The cluster already counts this node's users gone (their presence rows were removed): forget them here
            // too, so that a user who reconnects within the leave grace is announced online again, not left offline.
            tracker.LeaveAll();
            await RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        var beatAt = NoteBeat();
        if (JudgesPeers(beatAt)) await CleanLostNodesAsync(cancellationToken, beatAt).ConfigureAwait(false);
        await presence.ReconcileAsync(cancellationToken).ConfigureAwait(false);
        peers.Update(await PeersAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Writes the heartbeat; false when this node was declared lost meanwhile.</summary>
    internal async Task<bool> BeatAsync(CancellationToken cancellationToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE nodes SET heartbeat_at = @Now, address = COALESCE(@Address, address) WHERE node_id = @Node AND lost_at IS NULL",
            new { Now = NowMs(), Address = Address(), Node = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Records a successful heartbeat; returns its time.</summary>
    private long NoteBeat()
    {
        var now = NowMs();
        if (_lastBeatAt is not { } last || now - last > TimeoutMs)
        {
            if (_lastBeatAt is not null) Log.BeatGap(logger, database.NodeId, now - _lastBeatAt.Value);
            _beatingSince = now;
        }
        _lastBeatAt = now;
        return now;
    }

    /// <summary>True once this node has beaten without a long gap for a whole node timeout (see <see cref="_beatingSince"/>).</summary>
    internal bool JudgesPeers(long now) => _lastBeatAt is not null && now - _beatingSince >= TimeoutMs;

    /// <summary>
    /// Claims the nodes silent past the timeout (and those whose claimer died before finishing) and cleans each up.
    /// Returns the ids of the nodes this node cleaned.
    /// </summary>
    /// <param name="asOf">The time of the heartbeat that found this node fit to judge: peers are judged as of it, never
    /// later, so a round held up after its heartbeat (a stalled database, a starved thread) cannot take peers for lost
    /// for the time it was held up itself. Null: now.</param>
    internal async Task<IReadOnlyList<string>> CleanLostNodesAsync(CancellationToken cancellationToken, long? asOf = null)
    {
        var now = asOf ?? NowMs();
        List<string> claimed;
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // Under the row lock each update re-checks its condition, so of several survivors exactly one claims.
            claimed = (await c.QueryAsync<string>(new CommandDefinition(
                """
                UPDATE nodes SET lost_at = @Now, lost_by = @Node
                WHERE node_id <> @Node
                  AND ((lost_at IS NULL AND heartbeat_at < @Cutoff)
                       OR (cleaned_at IS NULL AND lost_at < @ReclaimCutoff
                           AND (lost_by = @Node OR NOT EXISTS (SELECT 1 FROM nodes claimer
                                           WHERE claimer.node_id = nodes.lost_by AND claimer.lost_at IS NULL
                                             AND claimer.heartbeat_at >= @Cutoff))))
                RETURNING node_id
                """, new { Now = now, Node = database.NodeId, Cutoff = now - TimeoutMs, ReclaimCutoff = now - 5 * TimeoutMs },
                cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        }
        foreach (var lost in claimed)
        {
            Log.NodeLost(logger, lost, database.NodeId);
            try
            {
                await cleanup.CleanAsync(lost, now, cancellationToken).ConfigureAwait(false);
                await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await c.ExecuteAsync(new CommandDefinition("UPDATE nodes SET cleaned_at = @Now WHERE node_id = @Lost AND lost_by = @Node",
                    new { Now = NowMs(), Lost = lost, Node = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The others claimed in this round still get cleaned; this node claims this one again after the reclaim
                // delay (another node does only if this one stops heartbeating, so a slow cleanup never runs twice).
                Log.CleanupFailed(logger, ex, lost);
            }
        }
        return claimed;
    }

    private async Task<IReadOnlyList<(string NodeId, string Address)>> PeersAsync(CancellationToken cancellationToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await c.QueryAsync<(string, string)>(new CommandDefinition(
            """
            SELECT node_id, address FROM nodes
            WHERE node_id <> @Node AND lost_at IS NULL AND heartbeat_at >= @Cutoff AND address IS NOT NULL
            """, new { Node = database.NodeId, Cutoff = NowMs() - TimeoutMs }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var now = NowMs();
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO nodes (node_id, address, started_at, heartbeat_at) VALUES (@Node, @Address, @Started, @Now)
            ON CONFLICT (node_id) DO UPDATE SET address = EXCLUDED.address, started_at = EXCLUDED.started_at,
                heartbeat_at = EXCLUDED.heartbeat_at, lost_at = NULL, lost_by = NULL, cleaned_at = NULL
            """, new { Node = database.NodeId, Address = Address(), Started = _startedAt, Now = now },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        Log.Registered(logger, database.NodeId, Address() ?? "(not listening yet)");
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await peers.DisposeAsync().ConfigureAwait(false);
        try
        {
            // A clean exit: the connections are closed already, so nobody needs to clean up after this node.
            await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var now = NowMs();
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE nodes SET lost_at = @Now, lost_by = @Node, cleaned_at = @Now WHERE node_id = @Node",
                new { Now = now, Node = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LeaveFailed(logger, ex);
        }
    }

    /// <summary>Where peers reach this node: the configured URL, else the server's first listen address once known.</summary>
    private string? Address()
    {
        if (options.Value.AdvertiseUrl is { } url) return url;
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        // A wildcard or port 0 is no address a peer can dial.
        return address is null || address.Contains("://0.0.0.0", StringComparison.Ordinal) || address.Contains("://+", StringComparison.Ordinal)
            || address.Contains("://*", StringComparison.Ordinal) || address.Contains("://[::]", StringComparison.Ordinal) || address.EndsWith(":0", StringComparison.Ordinal)
            ? null : address;
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static partial class Log
    {
        [LoggerMessage(5701, LogLevel.Information, "Node {NodeId} joined the cluster at {Address}.")]
        public static partial void Registered(ILogger logger, string nodeId, string address);

        [LoggerMessage(5702, LogLevel.Warning, "Node {NodeId} stopped heartbeating; node {Survivor} cleans up after it.")]
        public static partial void NodeLost(ILogger logger, string nodeId, string survivor);

        [LoggerMessage(5703, LogLevel.Error, "Node {NodeId} was declared lost by the cluster while running; closing its connections so clients reconnect.")]
        public static partial void Fenced(ILogger logger, string nodeId);

        [LoggerMessage(5704, LogLevel.Warning, "A cluster heartbeat round failed.")]
        public static partial void TickFailed(ILogger logger, Exception exception);

        [LoggerMessage(5705, LogLevel.Warning, "The node could not mark its clean exit in the cluster.")]
        public static partial void LeaveFailed(ILogger logger, Exception exception);

        [LoggerMessage(5707, LogLevel.Error, "Cleaning up after lost node {NodeId} failed; it will be retried.")]
        public static partial void CleanupFailed(ILogger logger, Exception exception, string nodeId);

        [LoggerMessage(5706, LogLevel.Warning, "Node {NodeId} could not heartbeat for {GapMs} ms (the database was unreachable?); it judges other nodes again after one node timeout of regular heartbeats.")]
        public static partial void BeatGap(ILogger logger, string nodeId, long gapMs);
    }
}
