using Heartline.Core.Leases;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>
    /// The stale cleaner (seed §4): speakers connected here who went silent (<c>stale_cleaned</c>) and listeners here who
    /// went silent (HEARTBEAT_LOST), judged by silence alone (a closing connection's own teardown ends it with the true
    /// reason); floors whose holder stopped acting (<see cref="LeaseState.Abandoned"/>: any node may end those, the
    /// conditional end runs once); participant rows left open by a connection or session that ended. Returns how many it removed.
    /// </summary>
    public async Task<int> SweepStaleAsync(CancellationToken cancellationToken = default)
    {
        var timeoutMs = _options.ParticipantTimeoutSeconds * 1000L;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var removed = 0;
        foreach (var floor in _floors.Values)
        {
            if (floor.Held is { } held && now - held.Speaker.LastSeenMs > timeoutMs
                && await EndAsync(floor.Office, held.Epoch, PttEndReasons.StaleCleaned, revoke: true, cancellationToken).ConfigureAwait(false))
                removed++;
            Participant[] silent;
            lock (floor.Lock) silent = [.. floor.Participants.Values.Where(p => now - p.Connection.LastSeenMs > timeoutMs)];
            foreach (var participant in silent)
            {
                if (await LeaveAsync(floor, participant.Connection, "heartbeat_lost").ConfigureAwait(false)) removed++;
            }
        }
        foreach (var lease in await _leases.ListHeldAsync(FloorData.KeyPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (!lease.Abandoned) continue;
            var reason = lease.HolderNodeAlive ? PttEndReasons.LeaseExpired : PttEndReasons.NodeLost;
            if (await EndAsync(FloorData.OfficeOf(lease.Key), lease.Epoch, reason, revoke: lease.HolderNodeAlive, cancellationToken)
                    .ConfigureAwait(false))
                removed++;
        }
        return removed + await _store.CloseOrphanedParticipantsAsync(now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Extends the stored lease of every grant held here that was active since its last renewal. A grant whose lease no
    /// longer holds it (taken over after a late renewal) is dropped here. Returns how many leases were extended.
    /// </summary>
    internal async Task<int> RenewLeasesAsync(CancellationToken cancellationToken = default)
    {
        var renewing = new List<(HeldGrant Held, long Activity)>();
        foreach (var floor in _floors.Values)
        {
            if (floor.Held is { } held && held.LastActivityTimestamp != held.RenewedActivity) renewing.Add((held, held.LastActivityTimestamp));
        }
        if (renewing.Count == 0) return 0;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var extra = _options.LeaseMs + (long)RenewPeriod.TotalMilliseconds;
        var lost = (await _leases.RenewAsync(
            [.. renewing.Select(r => new LeaseRenewal(FloorData.Key(r.Held.Office), r.Held.Epoch,
                now - (long)_time.GetElapsedTime(r.Activity).TotalMilliseconds + extra))], cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (held, activity) in renewing)
        {
            if (!lost.Contains(FloorData.Key(held.Office))) held.RenewedActivity = activity;
            else if (_floors.TryGetValue(held.Office, out var floor)) DropHeld(floor, held.Epoch, PttEndReasons.LeaseExpired);
        }
        return renewing.Count - lost.Count;
    }

    /// <summary>
    /// Ends every floor and session that node <paramref name="nodeId"/> held (a crashed predecessor of this node, or a
    /// lost node of the cluster; null on a single node: whatever any earlier process left), and in a cluster the places
    /// its listeners had in other nodes' sessions. Returns how many it ended.
    /// </summary>
    /// <param name="startedBefore">Only what started before this time (Unix ms): a lost node that came back and
    /// registered again keeps the floors and sessions it started since it was declared lost.</param>
    public async Task<int> EndNodeSessionsAsync(string? nodeId, string reason, long? startedBefore = null,
        CancellationToken cancellationToken = default)
    {
        var before = startedBefore ?? long.MaxValue;
        var ended = 0;
        foreach (var lease in await _leases.ListHeldAsync(FloorData.KeyPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (lease.Holder is not { } holder || (nodeId is not null && holder.NodeId != nodeId) || holder.GrantedAt >= before) continue;
            if (await EndAsync(FloorData.OfficeOf(lease.Key), lease.Epoch, reason, revoke: false, cancellationToken).ConfigureAwait(false)) ended++;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (nodeId is not null)
        {
            foreach (var (sessionId, userId, name, office) in await _store.LeaveNodeParticipantsAsync(nodeId, now, reason, before, cancellationToken)
                         .ConfigureAwait(false))
            {
                _channels.Publish(PttChannels.EventChannel(office), new ParticipantLeft("participant_left", sessionId, userId, reason),
                    PttJsonContext.Default.ParticipantLeft);
                RecordLeft(office, sessionId, userId, name, reason);
            }
        }
        var sessions = await _store.EndOpenSessionsAsync(nodeId, now, reason, startedBefore, cancellationToken).ConfigureAwait(false);
        foreach (var session in sessions) RecordEnded(session, reason, now);
        return ended + sessions.Count;
    }

    /// <summary>
    /// Ends a session that only storage still has open (a restart after a crash found its speaker's disconnect action):
    /// the row, and its <c>SESSION_ENDED</c> event like any other end. False when it had ended already.
    /// </summary>
    public async Task<bool> EndStoredSessionAsync(string sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (await _store.EndIfOpenAsync(sessionId, now, reason, cancellationToken).ConfigureAwait(false) is not { } session) return false;
        RecordEnded(session, reason, now);
        return true;
    }
}
