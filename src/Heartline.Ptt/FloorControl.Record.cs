using System.Globalization;
using Heartline.Core.Events;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>
    /// After a grant: the start's durable event (with the listeners on every node, counted from presence, and the
    /// press→grant time), then this node's listeners' rows and events. Off the press path; on one node it completes at
    /// once, in a cluster after reading presence.
    /// </summary>
    private async Task RecordStartedAsync(HeldGrant held, string eventId, long pressToGrantUs, List<Participant> listeners)
    {
        // The listeners' rows first, before anything is awaited: a listener's ptt.report (its notify latency) follows the
        // session_started it received within milliseconds, and an update queued before its row would be lost.
        if (listeners.Count > 0) _store.ParticipantsJoined(held.SessionId, listeners);
        var count = listeners.Count;
        try
        {
            count = 0;
            foreach (var user in await _presence.ListAsync(held.Office).ConfigureAwait(false))
            {
                if (user.UserId != held.SpeakerUser.UserId && PttRoles.Talks(user.Role)) count += user.Connections.Count;
            }
        }
        catch (Exception ex)
        {
            Log.ListenersUncounted(_logger, ex, held.SessionId);
            count = listeners.Count;
        }
        _store.SessionFigures(held.SessionId, pressToGrantUs, count);
        Event(PttEventTypes.SessionStarted, held.Office, held.SessionId, held.SpeakerUser.UserId, held.StartedAtMs, new()
        {
            ["event_id"] = eventId,
            ["epoch"] = held.Epoch.ToString(CultureInfo.InvariantCulture),
            ["speaker_name"] = held.SpeakerUser.Name,
            ["app_type"] = held.SpeakerUser.AppType,
            ["participants"] = count.ToString(CultureInfo.InvariantCulture),
            ["press_to_grant_us"] = pressToGrantUs.ToString(CultureInfo.InvariantCulture),
        });
        RecordJoinedEvents(held.Office, held.SessionId, listeners);
        Log.SessionStarted(_logger, held.SessionId, held.Office, held.SpeakerUser.UserId, count);
    }

    /// <summary>This node's members that joined a session when it started: their rows in one statement, their events.</summary>
    private void RecordListening(string office, string sessionId, List<Participant> joined)
    {
        if (joined.Count == 0) return;
        _store.ParticipantsJoined(sessionId, joined);
        RecordJoinedEvents(office, sessionId, joined);
    }

    /// <summary>The <c>USER_JOINED</c> events of members that joined a session when it started (after its start's event).</summary>
    private void RecordJoinedEvents(string office, string sessionId, List<Participant> joined)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var p in joined)
            _events.Enqueue(new EventRecord(0, PttEventTypes.UserJoined, office, sessionId, p.User.UserId, now, PttEventRecords.AutoJoinMetadata(p.User)));
    }

    private void RecordEnded(string office, string sessionId, string speakerUserId, string reason, long startedAt, long now) =>
        Event(PttEventTypes.SessionEnded, office, sessionId, speakerUserId, now, new()
        {
            ["reason"] = reason,
            ["duration_ms"] = (now - startedAt).ToString(CultureInfo.InvariantCulture),
        });

    private void RecordEnded(EndedSession session, string reason, long now)
    {
        RecordEnded(session.Office, session.SessionId, session.SpeakerUserId, reason, session.StartedAt, now);
        Log.SessionEnded(_logger, session.SessionId, session.Office, reason);
    }

    private void RecordJoined(string office, string sessionId, ParticipantInfo participant) =>
        Event(PttEventTypes.UserJoined, office, sessionId, participant.UserId, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            new() { ["app_type"] = participant.AppType, ["name"] = participant.Name });

    private void RecordLeft(string office, string sessionId, string userId, string name, string reason) =>
        Event(reason == "heartbeat_lost" ? PttEventTypes.HeartbeatLost : PttEventTypes.UserLeft, office, sessionId, userId,
            _time.GetUtcNow().ToUnixTimeMilliseconds(), new() { ["reason"] = reason, ["name"] = name });

    private void RecordBusy(string office, PttUser presser, FloorHolder holder) =>
        Event(PttEventTypes.PttBusy, office, holder.SessionId, presser.UserId, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            new() { ["speaker"] = holder.Speaker.UserId });

    private void RecordSpeakerChanged(string office, FloorGrant grant, PttUser speaker, FloorHolder previous) =>
        Event(PttEventTypes.SpeakerChanged, office, grant.SessionId, speaker.UserId, grant.StartedAtMs,
            new() { ["previous"] = previous.Speaker.UserId, ["previous_session_id"] = previous.SessionId });

    private void Event(string type, string office, string sessionId, string userId, long time, Dictionary<string, string> metadata) =>
        PttEventRecords.Enqueue(_events, type, office, sessionId, userId, time, metadata);
}
