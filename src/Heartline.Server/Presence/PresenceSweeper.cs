using Heartline.Server.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Server.Presence;

/// <summary>Announces users offline once their leave grace has passed.</summary>
internal sealed class PresenceSweeper(PresenceTracker presence, IOptions<PresenceOptions> options, TimeProvider time,
    HeartlineMetrics metrics, ILogger<PresenceSweeper> logger) : PeriodicSweeper(time, metrics, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);

    protected override string SweeperName => "presence";

    protected override Task<int> SweepAsync(CancellationToken cancellationToken) => Task.FromResult(presence.Sweep());
}
