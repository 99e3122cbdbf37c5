using Heartline.Core.Connections;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>A member connected: if a session is active it joins at once. Returns the state to push, or null.</summary>
    public PttState? MemberConnected(ClientConnection connection)
    {
        var user = connection.User!;
        if (!PttChannels.IsMemberRole(user.Role)) return null;
        var floor = Floor(user.OfficeKey);
        lock (floor.Lock)
        {
            var grant = floor.Current;
            if (grant is null || IsSpeakersOwn(connection, grant.SpeakerUser) || grant.Participants.ContainsKey(connection.Id)) return null;
            var participant = new Participant(connection, new PttUser(user.UserId, user.Name, connection.AppType),
                time.GetUtcNow().ToUnixTimeMilliseconds());
            grant.Participants[connection.Id] = participant;
            grant.RebuildListeners();
            hub.Publish(PttChannels.EventChannel(floor.Office), new ParticipantJoined("participant_joined", grant.SessionId, participant.Info()),
                PttJsonContext.Default.ParticipantJoined);
            RecordJoined(grant, participant);
            return StateLocked(floor);
        }
    }

    /// <summary>A connection ended: a listener leaves its session. (The speaker's release is its disconnect action.)</summary>
    public void ConnectionEnded(ClientConnection connection)
    {
        var user = connection.User;
        if (user is null || !_floors.TryGetValue(user.OfficeKey, out var floor)) return;
        lock (floor.Lock)
        {
            var grant = floor.Current;
            if (grant is null || !grant.Participants.ContainsKey(connection.Id)) return;
            RemoveParticipantLocked(floor, grant, connection, "disconnected");
        }
    }

    private void RemoveParticipantLocked(OfficeFloor floor, Grant grant, ClientConnection connection, string reason)
    {
        if (!grant.Participants.Remove(connection.Id, out var participant)) return;
        grant.RebuildListeners();
        hub.Publish(PttChannels.EventChannel(floor.Office), new ParticipantLeft("participant_left", grant.SessionId, participant.User.UserId, reason),
            PttJsonContext.Default.ParticipantLeft);
        RecordLeft(grant, participant, reason);
    }

    /// <summary>
    /// The stale cleaner: removes participants silent past the timeout (HEARTBEAT_LOST) and ends sessions whose speaker
    /// went silent (<c>stale_cleaned</c>). Silence alone decides: a connection that is closing is left to its own
    /// teardown, which ends it with the true reason. Returns how many participants and sessions it removed.
    /// </summary>
    internal int SweepStale()
    {
        var timeoutMs = _options.ParticipantTimeoutSeconds * 1000L;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var removed = 0;
        foreach (var floor in _floors.Values)
        {
            lock (floor.Lock)
            {
                var grant = floor.Current;
                if (grant is null) continue;
                if (now - grant.Speaker.LastSeenMs > timeoutMs)
                {
                    EndLocked(floor, grant, PttEndReasons.StaleCleaned, revoke: true);
                    removed++;
                    continue;
                }
                List<ClientConnection>? stale = null;
                foreach (var participant in grant.Participants.Values)
                {
                    if (now - participant.Connection.LastSeenMs > timeoutMs)
                        (stale ??= []).Add(participant.Connection);
                }
                if (stale is null) continue;
                foreach (var connection in stale) RemoveParticipantLocked(floor, grant, connection, "heartbeat_lost");
                removed += stale.Count;
            }
        }
        return removed;
    }

    public PttState State(string office)
    {
        var floor = Floor(office);
        lock (floor.Lock) return StateLocked(floor);
    }

    private PttState StateLocked(OfficeFloor floor)
    {
        var grant = floor.Current;
        if (grant is null) return new PttState(floor.Office, false, null, floor.Epoch > 0 ? floor.Epoch : null, null, null, null, []);
        return new PttState(floor.Office, true, grant.SessionId, grant.Epoch, PttChannels.MediaChannel(floor.Office),
            grant.SpeakerUser, grant.StartedAtMs, [.. grant.Participants.Values.Select(p => p.Info())], Media);
    }

    private PttMedia Media => new(_options.MediaProvider, [_options.TokenDelayMinMs, _options.TokenDelayMaxMs]);

    /// <summary>Offices with an active session (for the dashboard).</summary>
    public IReadOnlyList<PttState> ActiveStates()
    {
        var result = new List<PttState>();
        foreach (var floor in _floors.Values)
        {
            if (floor.Current is null) continue;
            lock (floor.Lock)
            {
                if (floor.Current is not null) result.Add(StateLocked(floor));
            }
        }
        return result;
    }
}
