using Dapper;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>
/// Refuses to start a node whose <c>Presence:NodeId</c> a running node already uses. Two processes with one id would
/// take each other for a crashed predecessor: startup cleanup would end the other's open connections and run their
/// disconnect actions (<c>server_restart</c>), and their heartbeats would hide each other's death. Runs before every
/// other cluster service and before startup cleanup. A row whose heartbeat is fresh may also be this node's own
/// predecessor that crashed a moment ago, so the guard watches it for one and a half heartbeat intervals: a heartbeat
/// that moves meanwhile comes from a live process (this one has not registered yet).
/// </summary>
internal sealed partial class NodeIdGuard(ClusterDatabase database, IOptions<ClusterOptions> options, TimeProvider time,
    ILogger<NodeIdGuard> logger) : IHostedLifecycleService
{
    private const int PollMs = 200;

    /// <summary>Runs as the host starts, ahead of every hosted service's <c>StartAsync</c> (startup cleanup's included).</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var seen = await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
        var timeoutMs = options.Value.NodeTimeoutSeconds * 1000L;
        if (seen is not { } first || Now() - first >= timeoutMs) return;

        var watchMs = options.Value.HeartbeatIntervalSeconds * 1500L;
        Log.Watching(logger, database.NodeId, watchMs);
        var until = Now() + watchMs;
        while (Now() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(PollMs), time, cancellationToken).ConfigureAwait(false);
            var current = await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
            if (current is null) return;
            if (current != first)
            {
                throw new InvalidOperationException(
                    $"Presence:NodeId '{database.NodeId}' is in use by another running node (its heartbeat moved while this " +
                    "node was starting). Give every node its own Presence:NodeId.");
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The heartbeat of a live row with this node's id; null when there is none (or it left or was lost).</summary>
    private async Task<long?> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT heartbeat_at FROM nodes WHERE node_id = @Node AND lost_at IS NULL",
            new { Node = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static partial class Log
    {
        [LoggerMessage(5720, LogLevel.Warning, "Node id {NodeId} has a fresh heartbeat in the cluster: watching it for {WatchMs} ms to tell a crashed predecessor from a running node with the same id.")]
        public static partial void Watching(ILogger logger, string nodeId, long watchMs);
    }
}
