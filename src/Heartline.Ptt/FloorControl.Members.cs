using Heartline.Core.Connections;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>
    /// A connection opened. A member (a principal that talks) joins the office's members here and, if a session is on,
    /// listens at once (the speaker's own other connections only learn the state). Returns the state to push, or null.
    /// </summary>
    public async ValueTask<PttState?> MemberConnectedAsync(ClientConnection connection)
    {
        var principal = connection.Principal!;
        if (principal.OfficeKey() is not { } office || !principal.Has(PttRoles.Talk)) return null;
        var floor = Floor(office);
        lock (floor.Lock) floor.Members = [.. floor.Members, connection];
        if (!floor.View.Active) return null;

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var info = new ParticipantInfo(principal.SubjectId, principal.Name, connection.AppType, connection.Device, now, connection.LastSeenMs);
        var join = await _leases.UpdateAsync(FloorData.Key(office), u =>
        {
            if (u.Current.Holder is not { } holder) return null;
            var data = FloorData.Parse(holder.Data);
            // The speaker's own other connections (another device, or a dropped one) do not listen to it.
            if (string.Equals(holder.UserId, principal.SubjectId, StringComparison.Ordinal)) return new Join(data.SessionId, u.Current.Epoch, false);
            u.Publish(PttChannels.EventChannel(office), new ParticipantJoined("participant_joined", data.SessionId, info),
                PttJsonContext.Default.ParticipantJoined);
            var row = PttStore.ParticipantRow(data.SessionId, connection, info.UserId, info.Name, info.AppType, now);
            u.Write((c, tx) => PttStore.JoinAsync(c, tx, row));
            return new Join(data.SessionId, u.Current.Epoch, true);
        }).ConfigureAwait(false);
        if (join is null) return null;
        if (join.Joined)
        {
            lock (floor.Lock)
            {
                if (floor.ParticipantsSession != join.SessionId && (floor.ParticipantsSession is null || floor.ParticipantsEpoch < join.Epoch))
                {
                    RecordFramesLocked(floor);
                    floor.Participants.Clear();
                    floor.ParticipantsSession = join.SessionId;
                    floor.ParticipantsEpoch = join.Epoch;
                }
                if (floor.ParticipantsSession == join.SessionId)
                {
                    floor.Participants[connection.Id] = new Participant(connection, new PttUser(info.UserId, info.Name, info.AppType), now, floor.FramesRelayed);
                    floor.RebuildListeners();
                }
            }
            RecordJoined(office, join.SessionId, info);
        }
        return await StateAsync(office).ConfigureAwait(false);
    }

    /// <summary>A connection ended: it is no member here any more, and a listener leaves its session.</summary>
    public void ConnectionEnded(ClientConnection connection)
    {
        if (connection.Principal?.OfficeKey() is not { } office || !_floors.TryGetValue(office, out var floor)) return;
        lock (floor.Lock)
        {
            var index = Array.IndexOf(floor.Members, connection);
            if (index >= 0) floor.Members = [.. floor.Members.AsSpan(0, index), .. floor.Members.AsSpan(index + 1)];
        }
        _ = LeaveQuietlyAsync(floor, connection, "disconnected");
    }

    private async Task LeaveQuietlyAsync(OfficeFloor floor, ClientConnection connection, string reason)
    {
        try
        {
            await LeaveAsync(floor, connection, reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The stale cleaner closes the participant row later.
            Log.LeaveFailed(_logger, ex, connection.Id);
        }
    }

    /// <summary>A listener here leaves the office's session (<c>disconnected</c>, <c>heartbeat_lost</c>); false if it was in none.</summary>
    private async Task<bool> LeaveAsync(OfficeFloor floor, ClientConnection connection, string reason)
    {
        Participant? participant;
        string? sessionId;
        lock (floor.Lock)
        {
            sessionId = floor.ParticipantsSession;
            if (sessionId is null || !floor.Participants.Remove(connection.Id, out participant)) return false;
            floor.RebuildListeners();
        }
        _store.FramesHeard(sessionId, [(connection.Id, participant.FramesHeard(floor.FramesRelayed))]);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var lastSeen = connection.LastSeenMs;
        var left = await _leases.UpdateAsync(FloorData.Key(floor.Office), u =>
        {
            // Only while its session is on: the decision that ended a session closed its participants already.
            if (u.Current.Holder is not { } holder || FloorData.Parse(holder.Data).SessionId != sessionId) return false;
            u.Publish(PttChannels.EventChannel(floor.Office), new ParticipantLeft("participant_left", sessionId, participant.User.UserId, reason),
                PttJsonContext.Default.ParticipantLeft);
            u.Write((c, tx) => PttStore.LeaveAsync(c, tx, sessionId, connection.Id, now, reason, lastSeen));
            return true;
        }).ConfigureAwait(false);
        if (left) RecordLeft(floor.Office, sessionId, participant.User.UserId, participant.User.Name, reason);
        return left;
    }

    /// <summary>
    /// The office's live state. Listeners: this node's, with their live last-seen, and those connected to other nodes
    /// (from cluster presence: every member connection there but the speaker's, joined when the session started or
    /// when it connected).
    /// </summary>
    public async ValueTask<PttState> StateAsync(string office, CancellationToken cancellationToken = default)
    {
        var lease = await _leases.ReadAsync(FloorData.Key(office), cancellationToken).ConfigureAwait(false);
        // No session: the last epoch issued, so a client can tell this reply from one older than what it has seen.
        if (lease.Holder is not { } holder) return new PttState(office, false, null, lease.Epoch > 0 ? lease.Epoch : null, null, null, null, []);
        var data = FloorData.Parse(holder.Data);
        var participants = new List<ParticipantInfo>();
        var local = new HashSet<string>(StringComparer.Ordinal);
        if (_floors.TryGetValue(office, out var floor))
        {
            lock (floor.Lock)
            {
                foreach (var member in floor.Members) local.Add(member.Id);
                if (floor.ParticipantsSession == data.SessionId) participants.AddRange(floor.Participants.Values.Select(p => p.Info()));
            }
        }
        foreach (var user in await _presence.ListAsync(office, cancellationToken).ConfigureAwait(false))
        {
            if (user.UserId == holder.UserId || !PttRoles.Talks(user.Role)) continue;
            foreach (var c in user.Connections)
            {
                if (local.Contains(c.ConnectionId)) continue;
                participants.Add(new ParticipantInfo(user.UserId, user.Name, c.AppType, c.Device, Math.Max(c.ConnectedAt, holder.GrantedAt), c.LastSeen));
            }
        }
        return new PttState(office, true, data.SessionId, lease.Epoch, PttChannels.MediaChannel(office),
            new PttUser(holder.UserId, data.Name, data.AppType), holder.GrantedAt, participants, Media);
    }

    /// <summary>Offices with an active session (for the dashboard).</summary>
    public async ValueTask<IReadOnlyList<string>> ActiveOfficesAsync(CancellationToken cancellationToken = default) =>
        [.. (await _leases.ListHeldAsync(FloorData.KeyPrefix, cancellationToken).ConfigureAwait(false)).Select(l => FloorData.OfficeOf(l.Key))];

    /// <summary>The current speaker of the office, or null.</summary>
    public async ValueTask<PttUser?> SpeakerAsync(string office, CancellationToken cancellationToken = default)
    {
        var lease = await _leases.ReadAsync(FloorData.Key(office), cancellationToken).ConfigureAwait(false);
        if (lease.Holder is not { } holder) return null;
        var data = FloorData.Parse(holder.Data);
        return new PttUser(holder.UserId, data.Name, data.AppType);
    }

    /// <summary>Whether <paramref name="sessionId"/> is the office's current or last session (for latency reports).</summary>
    public async ValueTask<bool> IsRecentSessionAsync(string office, string sessionId, CancellationToken cancellationToken = default)
    {
        if (_floors.TryGetValue(office, out var floor) && (floor.View.SessionId == sessionId || floor.View.PreviousSessionId == sessionId))
            return true;
        return await _store.IsRecentSessionAsync(office, sessionId, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Join(string SessionId, long Epoch, bool Joined);
}
