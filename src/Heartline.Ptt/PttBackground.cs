using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>The third safety net (seed §4): removes silent participants and ends sessions of silent speakers.</summary>
internal sealed class StaleSessionCleaner(IFloorControl floors, IOptions<PttOptions> options, TimeProvider time,
    HeartlineMetrics metrics, ILogger<StaleSessionCleaner> logger) : PeriodicSweeper(time, metrics, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.StaleSweepSeconds);

    protected override string SweeperName => "ptt-stale";

    protected override Task<int> SweepAsync(CancellationToken cancellationToken) => floors.SweepStaleAsync(cancellationToken);
}

/// <summary>
/// The module's part of the core's cleanup after a crashed predecessor (startup, <c>server_restart</c>) or a lost
/// cluster node (<c>node_lost</c>): ends the floors and sessions that node left, after the core ran its connections'
/// disconnect actions. This catches sessions whose speaker's action never reached the disk.
/// </summary>
internal sealed class PttNodeCleanup(IFloorControl floors) : INodeCleanup
{
    public Task<int> CleanAsync(string? nodeId, string reason, long? startedBefore, CancellationToken cancellationToken) =>
        floors.EndNodeSessionsAsync(nodeId, reason == DisconnectReasons.NodeLost ? PttEndReasons.NodeLost : PttEndReasons.ServerRestart,
            startedBefore, cancellationToken);
}
