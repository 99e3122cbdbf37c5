using Heartline.Core.Cluster;
using System.Globalization;
using Dapper;
using Heartline.Ptt;

namespace Heartline.Ptt.Cluster;

internal sealed partial class ClusterFloorControl
{
    public string NotifyChannel => database.FloorChannel;

    /// <summary>A floor changed on some node: <c>{epoch} {session_id} {end reason or -} {office}</c>.</summary>
    public void OnNotification(string payload)
    {
        var parts = payload.Split(' ', 4);
        if (parts.Length != 4 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)) return;
        if (!_offices.TryGetValue(parts[3], out var office)) return;
        ApplyFloorChange(office, epoch, parts[1], parts[2] == "-" ? null : parts[2]);
    }

    /// <summary>Notifications may have been lost while the listener reconnected: read the floors this node follows.</summary>
    public void OnListening() => _ = ResynchronizeAsync();

    internal async Task ResynchronizeAsync()
    {
        var known = _offices.Keys.ToArray();
        if (known.Length == 0) return;
        try
        {
            await using var c = await database.DataSource.OpenConnectionAsync().ConfigureAwait(false);
            var rows = await c.QueryAsync<(string Office, long Epoch, string? SessionId)>(
                "SELECT office, epoch, session_id FROM office_floors WHERE office = ANY(@Offices)", new { Offices = known }).ConfigureAwait(false);
            foreach (var (name, epoch, sessionId) in rows)
            {
                if (!_offices.TryGetValue(name, out var office)) continue;
                // An ended session's reason is not in the row; "ended" allows no release hang.
                if (sessionId is not null) ApplyFloorChange(office, epoch, sessionId, null);
                else ApplyFloorChange(office, epoch, office.View.SessionId ?? "-", "ended");
                // Only a row that moved past this node's grant ends it: a press here may have committed a newer epoch
                // after the row was read, and that fresh grant must stand.
                if (office.Held is { } held && (epoch > held.Epoch || (epoch == held.Epoch && sessionId is null)))
                    DropHeld(office, held.Epoch, "ended");
            }
        }
        catch (Exception ex)
        {
            Log.ResynchronizeFailed(logger, ex);
        }
    }

    /// <summary>
    /// Moves the office's view forward; notifications arrive in commit order, but this node also applies its own
    /// changes right after committing, so a change already known is skipped.
    /// </summary>
    private void ApplyFloorChange(ClusterOffice office, long epoch, string sessionId, string? endReason)
    {
        lock (office.Lock)
        {
            var view = office.View;
            if (endReason is null)
            {
                if (epoch > view.Epoch || (epoch == view.Epoch && view.SessionId != sessionId))
                {
                    office.View = new FloorView(epoch, sessionId, true, null, 0);
                    office.ReportedSilent.Clear();
                }
                if (office.Held is { } held && held.Epoch < epoch) DropHeldLocked(office, held, PttEndReasons.Preempted);
                return;
            }
            if (epoch > view.Epoch || (epoch == view.Epoch && view.Active))
                office.View = new FloorView(epoch, sessionId, false, endReason, time.GetTimestamp());
            if (office.Held is { } current && current.Epoch <= epoch) DropHeldLocked(office, current, endReason);
        }
    }

    /// <summary>A grant of this node's speaker committed: it becomes the office's held floor.</summary>
    private void Hold(ClusterOffice office, HeldFloor held)
    {
        lock (office.Lock)
        {
            if (office.Held is { } old && old != held) DropHeldLocked(office, old, PttEndReasons.Preempted);
            if (held.Epoch >= office.View.Epoch)
            {
                if (held.Epoch > office.View.Epoch || office.View.SessionId != held.SessionId) office.ReportedSilent.Clear();
                office.View = new FloorView(held.Epoch, held.SessionId, true, null, 0);
            }
            // A newer grant may already be known (a pre-emption right after this one): then this one is over.
            if (office.View.Epoch != held.Epoch || !office.View.Active) return;
            office.Held = held;
            ArmTimer(office, held);
        }
    }

    private void DropHeld(ClusterOffice office, long epoch, string reason)
    {
        lock (office.Lock)
        {
            if (office.Held is { } held && held.Epoch == epoch) DropHeldLocked(office, held, reason);
        }
    }

    private void DropHeldLocked(ClusterOffice office, HeldFloor held, string reason)
    {
        office.Held = null;
        office.Timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        office.LastHeld = new EndedFloor(held, reason, time.GetTimestamp());
        if (reason != PttEndReasons.Disconnected) _ = CancelReleaseActionAsync(held);
    }

    private void ArmTimer(ClusterOffice office, HeldFloor held)
    {
        office.Timer ??= time.CreateTimer(static state =>
        {
            var (control, o) = ((ClusterFloorControl, ClusterOffice))state!;
            control.CheckDeadlines(o);
        }, (this, office), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        PttDeadlines.Due(time, _options, held.StartedTimestamp, held.LastActivityTimestamp, out var next);
        office.Timer.Change(next, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Timer callback: ends the held grant whose lease or talk time ran out, otherwise re-arms.</summary>
    internal void CheckDeadlines(ClusterOffice office)
    {
        HeldFloor held;
        string reason;
        lock (office.Lock)
        {
            if (office.Held is not { } current) return;
            held = current;
            if (PttDeadlines.Due(time, _options, held.StartedTimestamp, held.LastActivityTimestamp, out var next) is not { } due)
            {
                office.Timer?.Change(next, Timeout.InfiniteTimeSpan);
                return;
            }
            reason = due;
            if (Interlocked.Exchange(ref held.Ending, 1) != 0) return;
        }
        _ = EndFromTimerAsync(office, held, reason);
    }

    private async Task EndFromTimerAsync(ClusterOffice office, HeldFloor held, string reason)
    {
        try
        {
            await EndAsync(office.Office, held.Epoch, reason, revoke: true).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The database is unreachable: try again shortly; meanwhile the lease in the row runs out for the others.
            Log.EndFailed(logger, ex, held.SessionId, reason);
            Volatile.Write(ref held.Ending, 0);
            lock (office.Lock)
            {
                if (office.Held == held) office.Timer?.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task<string?> RegisterReleaseActionAsync(HeldFloor held)
    {
        try
        {
            var payload = $"{{\"office\":\"{held.Office}\",\"epoch\":{held.Epoch},\"session_id\":\"{held.SessionId}\"}}";
            return await disconnectActions.RegisterAsync(held.Speaker, FloorControl.ReleaseActionKind, payload).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionFailed(logger, ex, held.SessionId);
            return null;
        }
    }

    private async Task CancelReleaseActionAsync(HeldFloor held)
    {
        try
        {
            if (await held.DisconnectAction.ConfigureAwait(false) is { } actionId)
                await disconnectActions.CancelAsync(held.Speaker.Id, actionId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionFailed(logger, ex, held.SessionId);
        }
    }

    private static readonly string[] MemberRoles = [Heartline.Core.Auth.Roles.CallManager, Heartline.Core.Auth.Roles.PickupDriver];

    /// <summary>
    /// After the grant committed: every member connection of the office on any live node, except the speaker's own
    /// connections, becomes a participant (one statement, off the press path), then the start is recorded with its
    /// press→grant time and listener count.
    /// </summary>
    private void RecordStarted(HeldFloor held, string eventId, long pressToGrantUs)
    {
        var now = held.StartedAtMs;
        writer.Enqueue(async (c, tx) =>
        {
            var joined = (await c.QueryAsync<(string UserId, string AppType)>(
                """
                INSERT INTO ptt_participants (session_id, connection_id, user_id, name, app_type, device, joined_at, last_seen)
                SELECT @SessionId, c.connection_id, c.user_id, c.name, c.app_type, c.device, @Now, @Now
                FROM connections c JOIN nodes n ON n.node_id = c.node_id
                WHERE (c.region_id || '_' || c.office_id) = @Office AND c.ended_at IS NULL AND n.lost_at IS NULL
                  AND c.role = ANY(@Roles) AND c.user_id <> @Speaker
                  AND EXISTS (SELECT 1 FROM ptt_sessions s WHERE s.session_id = @SessionId AND s.ended_at IS NULL)
                ON CONFLICT (session_id, connection_id) DO NOTHING
                RETURNING user_id, app_type
                """, new { held.SessionId, Now = now, held.Office, Speaker = held.SpeakerUser.UserId, Roles = MemberRoles }, tx).ConfigureAwait(false)).AsList();
            await c.ExecuteAsync(
                """
                UPDATE ptt_sessions SET press_to_grant_us = @Us, peak_participants = GREATEST(peak_participants, @Count)
                WHERE session_id = @SessionId
                """, new { held.SessionId, Us = pressToGrantUs, joined.Count }, tx).ConfigureAwait(false);
            PttEventRecords.Enqueue(events, PttEventTypes.SessionStarted, held.Office, held.SessionId, held.SpeakerUser.UserId, now, new()
            {
                ["event_id"] = eventId,
                ["epoch"] = held.Epoch.ToString(CultureInfo.InvariantCulture),
                ["speaker_name"] = held.SpeakerUser.Name,
                ["app_type"] = held.SpeakerUser.AppType,
                ["participants"] = joined.Count.ToString(CultureInfo.InvariantCulture),
                ["press_to_grant_us"] = pressToGrantUs.ToString(CultureInfo.InvariantCulture),
            });
            foreach (var (userId, appType) in joined)
            {
                events.Enqueue(new Heartline.Core.Events.EventRecord(0, PttEventTypes.UserJoined, held.Office, held.SessionId, userId, now,
                    PttEventRecords.AutoJoinMetadata(appType)));
            }
        });
        Log.SessionStarted(logger, held.SessionId, held.Office, held.SpeakerUser.UserId);
    }

    private void RecordEnded(string office, string sessionId, string speakerUserId, string reason, long startedAt, long now) =>
        PttEventRecords.Enqueue(events, PttEventTypes.SessionEnded, office, sessionId, speakerUserId, now, new()
        {
            ["reason"] = reason,
            ["duration_ms"] = (now - startedAt).ToString(CultureInfo.InvariantCulture),
        });
}
