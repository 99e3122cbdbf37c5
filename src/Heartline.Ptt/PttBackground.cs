using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>The third safety net (seed §4): removes silent participants and ends sessions of silent speakers.</summary>
internal sealed class StaleSessionCleaner(FloorControl floors, IOptions<PttOptions> options) : ISweeper
{
    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.StaleSweepSeconds);

    public string Name => "ptt-stale";

    public Task<int> SweepAsync(CancellationToken cancellationToken) => floors.SweepStaleAsync(cancellationToken);
}

/// <summary>
/// The module's part of the core's cleanup after a crashed predecessor (startup, <c>server_restart</c>) or a lost
/// cluster node (<c>node_lost</c>): ends the floors and sessions that node left, after the core ran its connections'
/// disconnect actions. This catches sessions whose speaker's action never reached the disk.
/// </summary>
internal sealed class PttNodeCleanup(FloorControl floors) : INodeCleanup
{
    public Task<int> CleanAsync(string? nodeId, string reason, long? startedBefore, CancellationToken cancellationToken) =>
        floors.EndNodeSessionsAsync(nodeId, reason == DisconnectReasons.NodeLost ? PttEndReasons.NodeLost : PttEndReasons.ServerRestart,
            startedBefore, cancellationToken);
}
