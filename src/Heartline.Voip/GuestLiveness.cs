using System.Text.Json;
using Heartline.Core.Modules;
using Heartline.Core.Operations;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary>
/// The seed's liveness check, every <see cref="VoipOptions.HeartbeatIntervalSeconds"/>: pings each VoIP connection of
/// this node every <see cref="VoipOptions.PingIntervalSeconds"/>, disconnects one that left
/// <see cref="VoipOptions.MaxMissedPings"/> pings unanswered or was silent for <see cref="VoipOptions.ConnectionTimeoutSeconds"/>
/// (close <c>4002 keepalive_timeout</c>), closes connections of guests removed on another node (<c>4503 revoked</c>),
/// ends calls whose timers were lost with their node, and refreshes the statistics.
/// </summary>
internal sealed class GuestLiveness(GuestSessions sessions, GuestStore store, CallControl calls, VoipStatistics statistics,
    VoipMetrics metrics, HeartlineNode node, IOptions<VoipOptions> options, TimeProvider time, ILogger<GuestLiveness> logger) : ISweeper
{
    public string Name => "voip-liveness";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.HeartbeatIntervalSeconds);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var closed = 0;
        foreach (var session in sessions.All)
        {
            if (session.Connection.IsClosing) continue;
            var (verdict, ping) = session.Check(now, o.PingIntervalSeconds * 1000L, o.MaxMissedPings, o.ConnectionTimeoutSeconds * 1000L);
            switch (verdict)
            {
                case LivenessVerdict.Silent:
                    Close(session, "silent", $"nothing received for {o.ConnectionTimeoutSeconds} s");
                    closed++;
                    break;
                case LivenessVerdict.MissedPings:
                    Close(session, "missed_pings", $"{o.MaxMissedPings} pings unanswered");
                    closed++;
                    break;
                default:
                    if (ping is { } seq) session.Connection.Send(FrameWriter.Push("voip.ping", new PingPush(seq), VoipJson.Default.PingPush));
                    break;
            }
        }
        if (node.IsCluster) closed += await CloseRemovedAsync(cancellationToken).ConfigureAwait(false);
        closed += await calls.SweepAsync(cancellationToken).ConfigureAwait(false);
        await statistics.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return closed;
    }

    private void Close(GuestSession session, string rule, string why)
    {
        metrics.LivenessClosed(rule);
        VoipLog.GuestDisconnected(logger, session.PartyId, why);
        session.Connection.Close(CloseCodes.KeepAliveTimeout, why);
    }

    /// <summary>An administrator on another node removed guests connected here: close them (at most one check late).</summary>
    private async Task<int> CloseRemovedAsync(CancellationToken cancellationToken)
    {
        var guests = sessions.All.Where(s => s.IsGuest && !s.Connection.IsClosing).ToList();
        if (guests.Count == 0) return 0;
        var existing = (await store.ExistingAsync([.. guests.Select(s => s.PartyId).Distinct()], cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        var closed = 0;
        foreach (var session in guests)
        {
            if (existing.Contains(session.PartyId)) continue;
            session.Connection.Close(CloseCodes.Revoked, "this guest was removed");
            closed++;
        }
        return closed;
    }
}

/// <summary>
/// The seed's cleanup, at start-up and every <see cref="VoipOptions.CleanupIntervalSeconds"/>: removes guests whose
/// reclaim window ended (their calls end with <c>peer_gone</c>), purges call records past their retention, and logs the
/// seed's "Connection Stats" line.
/// </summary>
internal sealed class GuestCleanup(GuestStore store, CallControl calls, VoipStatistics statistics, IOptions<VoipOptions> options,
    TimeProvider time, ILogger<GuestCleanup> logger) : ISweeper, IHostedService
{
    public string Name => "voip-cleanup";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.CleanupIntervalSeconds);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var gone = await store.RemoveGoneAsync(now - options.Value.ReclaimWindowSeconds * 1000L, cancellationToken).ConfigureAwait(false);
        await calls.EndCallsOfAsync(gone, CallEndReasons.PeerGone, cancellationToken).ConfigureAwait(false);
        var purged = await store.RemoveCallRecordsAsync(now - options.Value.CallRetentionDays * 86_400_000L, cancellationToken).ConfigureAwait(false);
        VoipLog.Cleaned(logger, gone.Count, purged);
        var stats = await statistics.RefreshAsync(cancellationToken).ConfigureAwait(false);
        VoipLog.ConnectionStats(logger, stats.GuestsTotal, stats.GuestsConnected, (int)stats.GuestsResponsive, (int)stats.GuestsInCall,
            stats.GuestsReclaimable);
        return gone.Count + purged;
    }

    /// <summary>
    /// The start-up cleanup, after the core ended what a crash left open (so those guests' reclaim windows run from now):
    /// call records that no lease holds any more end too, and then the usual sweep.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await calls.EndOrphanedCallsAsync(cancellationToken).ConfigureAwait(false);
        await SweepAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Computes <see cref="VoipStats"/> and serves them as the <c>voip</c> section of <c>GET /api/admin/stats</c>.</summary>
internal sealed class VoipStatistics(GuestStore store, CallControl calls, GuestSessions sessions, VoipMetrics metrics, TimeProvider time)
    : IModuleStats
{
    public string Name => VoipModule.Name;

    public async Task<VoipStats> RefreshAsync(CancellationToken cancellationToken)
    {
        var counts = await store.CountAsync(cancellationToken).ConfigureAwait(false);
        var (ringing, active) = await calls.CountAsync(cancellationToken).ConfigureAwait(false);
        var responsive = 0;
        foreach (var session in sessions.All)
        {
            if (session.IsGuest && session.Responsive) responsive++;
        }
        var stats = new VoipStats(counts.Total, counts.Connected, responsive, (ringing + active) * 2L, counts.Reclaimable, ringing, active,
            sessions.Count, time.GetUtcNow().ToUnixTimeMilliseconds());
        metrics.Last = stats;
        return stats;
    }

    public async ValueTask<JsonElement> SnapshotAsync(CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await RefreshAsync(cancellationToken).ConfigureAwait(false), VoipJson.Default.VoipStats);
}
