using Heartline.Core.Cluster;
using Dapper;
using Heartline.Ptt;

namespace Heartline.Ptt.Cluster;

internal sealed partial class ClusterFloorControl
{
    /// <summary>
    /// The stale cleaner across nodes: this node's silent speakers (<c>stale_cleaned</c>) and silent listeners
    /// (HEARTBEAT_LOST), judged by silence alone as on one node (a closing connection's teardown ends it); floors left past their lease by a holder that no longer acts (any node may end those: the
    /// conditional end runs once); participant rows whose connection ended without leaving.
    /// </summary>
    public async Task<int> SweepStaleAsync(CancellationToken cancellationToken = default)
    {
        var timeoutMs = _options.ParticipantTimeoutSeconds * 1000L;
        var now = NowMs();
        var removed = 0;
        foreach (var office in _offices.Values)
        {
            if (office.Held is { } held && now - held.Speaker.LastSeenMs > timeoutMs)
            {
                if (await EndAsync(office.Office, held.Epoch, PttEndReasons.StaleCleaned, revoke: true, cancellationToken).ConfigureAwait(false))
                    removed++;
            }
            if (!office.View.Active) continue;
            foreach (var member in office.Members)
            {
                if (member == office.Held?.Speaker || now - member.LastSeenMs <= timeoutMs) continue;
                bool first;
                lock (office.Lock) first = office.ReportedSilent.Add(member.Id);
                if (first && await LeaveAsync(office, member, "heartbeat_lost").ConfigureAwait(false)) removed++;
            }
        }

        var nodeTimeoutMs = clusterOptions.Value.NodeTimeoutSeconds * 1000L;
        IReadOnlyList<(string Office, long Epoch, bool NodeGone)> abandoned;
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            abandoned = (await c.QueryAsync<(string, long, bool)>(new CommandDefinition(
                """
                SELECT f.office, f.epoch, (n.lost_at IS NOT NULL OR n.heartbeat_at IS NULL OR n.heartbeat_at < @NodeCutoff)
                FROM office_floors f LEFT JOIN nodes n ON n.node_id = f.speaker_node
                WHERE f.session_id IS NOT NULL AND f.lease_until < @LeaseCutoff
                """, new { NodeCutoff = now - nodeTimeoutMs, LeaseCutoff = now - nodeTimeoutMs }, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).AsList();
            removed += await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ptt_participants p SET left_at = c.ended_at, left_reason = 'disconnected'
                FROM connections c
                WHERE c.connection_id = p.connection_id AND p.left_at IS NULL AND c.ended_at IS NOT NULL
                """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        foreach (var (office, epoch, nodeGone) in abandoned)
        {
            var reason = nodeGone ? PttEndReasons.NodeLost : PttEndReasons.LeaseExpired;
            if (await EndAsync(office, epoch, reason, revoke: !nodeGone, cancellationToken).ConfigureAwait(false)) removed++;
        }
        return removed;
    }

    /// <summary>
    /// Extends the lease in PostgreSQL of every grant held here that was active since its last renewal. A grant whose
    /// row no longer holds it (taken over after a late renewal) is dropped here. Returns how many leases were extended.
    /// </summary>
    internal async Task<int> RenewLeasesAsync(CancellationToken cancellationToken = default)
    {
        var renewing = new List<(HeldFloor Held, long Activity)>();
        foreach (var office in _offices.Values)
        {
            if (office.Held is { } held && held.LastActivityTimestamp != held.RenewedActivity) renewing.Add((held, held.LastActivityTimestamp));
        }
        if (renewing.Count == 0) return 0;
        var now = NowMs();
        var extra = _options.LeaseMs + (long)RenewPeriod.TotalMilliseconds;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var renewed = (await c.QueryAsync<string>(new CommandDefinition(
            """
            UPDATE office_floors f SET lease_until = w.until
            FROM unnest(@Offices::text[], @Epochs::bigint[], @Untils::bigint[]) AS w(office, epoch, until)
            WHERE f.office = w.office AND f.epoch = w.epoch AND f.session_id IS NOT NULL
            RETURNING f.office
            """, new
            {
                Offices = renewing.Select(r => r.Held.Office).ToArray(),
                Epochs = renewing.Select(r => r.Held.Epoch).ToArray(),
                Untils = renewing.Select(r => now - (long)time.GetElapsedTime(r.Activity).TotalMilliseconds + extra).ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        foreach (var (held, activity) in renewing)
        {
            if (renewed.Contains(held.Office)) held.RenewedActivity = activity;
            else if (_offices.TryGetValue(held.Office, out var office)) DropHeld(office, held.Epoch, PttEndReasons.LeaseExpired);
        }
        return renewed.Count;
    }
}
