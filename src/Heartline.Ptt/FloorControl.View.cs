using Heartline.Core.Leases;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>
    /// A session ended (this node's decision, or another node's notice): the view moves on, a grant held here at that
    /// epoch or before is dropped (its audio still relayed for the release hang), and this node's listeners of that
    /// session leave it (the decision that ended it closed their rows).
    /// </summary>
    private void EndedLocally(OfficeFloor floor, long epoch, string? sessionId, string reason)
    {
        lock (floor.Lock)
        {
            var view = floor.View;
            if (epoch > view.Epoch || (epoch == view.Epoch && view.Active))
            {
                var ended = sessionId ?? (epoch == view.Epoch ? view.SessionId : null);
                floor.View = new FloorView(epoch, ended, false, reason, _time.GetTimestamp(),
                    ended is not null && view.SessionId != ended ? view.SessionId : view.PreviousSessionId);
            }
            if (floor.Held is { } held && held.Epoch <= epoch) DropHeldLocked(floor, held, reason);
            if (floor.ParticipantsSession is not null && floor.ParticipantsEpoch <= epoch)
            {
                floor.HangListeners = floor.Listeners;
                RecordFramesLocked(floor);
                floor.Participants.Clear();
                floor.ParticipantsSession = null;
                floor.RebuildListeners();
            }
        }
    }

    /// <summary>
    /// The frames each of this node's listeners of the session was sent, kept as they stop listening here (the session
    /// ended or a newer one replaced it): the drill-down's "did driver X hear it?". Under <see cref="OfficeFloor.Lock"/>.
    /// </summary>
    private void RecordFramesLocked(OfficeFloor floor)
    {
        if (floor.ParticipantsSession is not { } sessionId || floor.Participants.Count == 0) return;
        var relayed = floor.FramesRelayed;
        _store.FramesHeard(sessionId, [.. floor.Participants.Values.Select(p => (p.Connection.Id, p.FramesHeard(relayed)))]);
    }

    /// <summary>Another node granted the floor: the view moves on, a grant held here before is over, this node's members listen.</summary>
    private void GrantedElsewhere(OfficeFloor floor, long epoch, LeaseHolder holder)
    {
        var data = FloorData.Parse(holder.Data);
        lock (floor.Lock)
        {
            var view = floor.View;
            if (epoch < view.Epoch || (epoch == view.Epoch && view.SessionId == data.SessionId && view.Active)) return;
            if (epoch == view.Epoch && !view.Active && view.SessionId == data.SessionId) return;
            floor.View = new FloorView(epoch, data.SessionId, true, null, 0, PreviousOf(view, data.SessionId));
            if (floor.Held is { } held && held.Epoch < epoch) DropHeldLocked(floor, held, PttEndReasons.Preempted);
        }
        var joined = StartListening(floor, data.SessionId, epoch, holder.GrantedAt, holder.UserId);
        RecordListening(data.SessionId, joined);
    }

    /// <summary>
    /// This node's members (but the speaker's own connections) become listeners of <paramref name="sessionId"/>; returns
    /// those that joined now (a member that joined on its own already, or earlier, is not joined again).
    /// </summary>
    private List<Participant> StartListening(OfficeFloor floor, string sessionId, long epoch, long startedAtMs, string speakerUserId)
    {
        var joined = new List<Participant>();
        lock (floor.Lock)
        {
            // An older session's listeners are replaced; a newer one's are left alone (this notice came late).
            if (floor.ParticipantsSession is not null && floor.ParticipantsEpoch > epoch) return joined;
            if (floor.ParticipantsSession != sessionId)
            {
                RecordFramesLocked(floor);
                floor.Participants.Clear();
                floor.ParticipantsSession = sessionId;
                floor.ParticipantsEpoch = epoch;
            }
            foreach (var member in floor.Members)
            {
                if (member.IsClosing || floor.Participants.ContainsKey(member.Id)
                    || string.Equals(member.Principal!.SubjectId, speakerUserId, StringComparison.Ordinal))
                    continue;
                var participant = new Participant(member, new PttUser(member.Principal.SubjectId, member.Principal.Name, member.AppType), startedAtMs,
                    floor.FramesRelayed);
                floor.Participants[member.Id] = participant;
                joined.Add(participant);
            }
            if (joined.Count > 0) floor.RebuildListeners();
        }
        return joined;
    }

    public void OnChanged(LeaseChange change)
    {
        if (!_floors.TryGetValue(FloorData.OfficeOf(change.Key), out var floor)) return;
        if (change.Holder is { } holder) GrantedElsewhere(floor, change.Epoch, holder);
        else EndedLocally(floor, change.Epoch, null, change.Note ?? "ended");
    }

    /// <summary>Notices may have been lost while the listener reconnected: read the floors this node follows.</summary>
    public void OnResynchronize() => _ = ResynchronizeAsync();

    internal async Task ResynchronizeAsync()
    {
        foreach (var floor in _floors.Values)
        {
            try
            {
                var state = await _leases.ReadAsync(FloorData.Key(floor.Office)).ConfigureAwait(false);
                if (state.Holder is { } holder)
                {
                    GrantedElsewhere(floor, state.Epoch, holder);
                    continue;
                }
                // An ended session's reason is not in the lease: "ended" allows no release hang. Only a lease that moved
                // past this node's grant ends it: a press here may have committed a newer epoch after the read.
                EndedLocally(floor, state.Epoch, null, "ended");
            }
            catch (Exception ex)
            {
                Log.ResynchronizeFailed(_logger, ex, floor.Office);
            }
        }
    }
}
