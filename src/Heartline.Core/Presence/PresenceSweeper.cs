using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Announces users offline once their leave grace has passed, then, when due, ends connection rows orphaned by a failed
/// teardown and purges old ended connections.
/// </summary>
internal sealed class PresenceSweeper(PresenceTracker presence, OrphanedConnectionCleanup orphans, EndedConnectionPurge purge,
    IOptions<PresenceOptions> options, TimeProvider time, HeartlineMetrics metrics, ILogger<PresenceSweeper> logger)
    : PeriodicSweeper(time, metrics, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);

    protected override string SweeperName => "presence";

    // Offline announcements first: they are what clients wait for, and they do not depend on the database.
    protected override async Task<int> SweepAsync(CancellationToken cancellationToken) =>
        presence.Sweep() + await orphans.RunIfDueAsync(cancellationToken).ConfigureAwait(false)
        + await purge.RunIfDueAsync(cancellationToken).ConfigureAwait(false);
}
