using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Announces users offline once their leave grace has passed, then, when due, ends connection rows orphaned by a failed
/// teardown and purges old ended connections.
/// </summary>
internal sealed class PresenceSweeper(PresenceTracker presence, OrphanedConnectionCleanup orphans, EndedConnectionPurge purge,
    IOptions<PresenceOptions> options) : ISweeper
{
    public string Name => "presence";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);

    // Offline announcements first: they are what clients wait for, and they do not depend on the database.
    public async Task<int> SweepAsync(CancellationToken cancellationToken) =>
        presence.Sweep() + await orphans.RunIfDueAsync(cancellationToken).ConfigureAwait(false)
        + await purge.RunIfDueAsync(cancellationToken).ConfigureAwait(false);
}
