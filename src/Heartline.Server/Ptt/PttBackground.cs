using Heartline.Server.Operations;
using Heartline.Server.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Server.Ptt;

/// <summary>The third safety net (seed §4): removes silent participants and ends sessions of silent speakers.</summary>
internal sealed class StaleSessionCleaner(IFloorControl floors, IOptions<PttOptions> options, TimeProvider time,
    HeartlineMetrics metrics, ILogger<StaleSessionCleaner> logger) : PeriodicSweeper(time, metrics, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.StaleSweepSeconds);

    protected override string SweeperName => "ptt-stale";

    protected override Task<int> SweepAsync(CancellationToken cancellationToken) => floors.SweepStaleAsync(cancellationToken);
}

/// <summary>
/// At startup, ends the sessions (and in a cluster the floors) a crashed process of this node left open
/// (<c>server_restart</c>), after the core cleanup ran their speakers' disconnect actions: this catches sessions whose
/// action never reached the disk.
/// </summary>
internal sealed partial class PttStartupCleanup(IFloorControl floors, IOptions<PresenceOptions> presence,
    ILogger<PttStartupCleanup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ended = await floors.EndNodeSessionsAsync(presence.Value.StartupCleanupNodeId, PttEndReasons.ServerRestart,
            cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (ended > 0) Log.Cleaned(logger, ended);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Warning, "Startup cleanup ended {Count} PTT sessions left open by a previous process (server_restart).")]
        public static partial void Cleaned(ILogger logger, int count);
    }
}
