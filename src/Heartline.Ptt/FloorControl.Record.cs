using System.Globalization;
using System.Text.Json;
using Heartline.Core.Events;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>
    /// After a grant: this node's listeners' rows, then the start's durable event, which names the members listening
    /// from the start on every node (from presence) and the press→grant time. Completes once that event is committed
    /// (the press reply waits for it); on one node presence answers at once.
    /// </summary>
    private async Task RecordStartedAsync(HeldGrant held, string eventId, long pressToGrantUs, List<Participant> listeners)
    {
        // The listeners' rows first, before anything is awaited: a listener's ptt.report (its notify latency) follows the
        // session_started it received within milliseconds, and an update queued before its row would be lost.
        if (listeners.Count > 0) _store.ParticipantsJoined(held.SessionId, listeners);
        var count = 0;
        var members = new List<string>();
        try
        {
            foreach (var user in await _presence.ListAsync(held.Office).ConfigureAwait(false))
            {
                if (user.UserId == held.SpeakerUser.UserId || !PttRoles.Talks(user.Role)) continue;
                count += user.Connections.Count;
                members.Add(user.UserId);
            }
        }
        catch (Exception ex)
        {
            Log.ListenersUncounted(_logger, ex, held.SessionId);
            count = listeners.Count;
            members = [.. listeners.Select(p => p.User.UserId).Distinct(StringComparer.Ordinal)];
        }
        _store.SessionFigures(held.SessionId, pressToGrantUs, count);
        // One event for the whole office, not a USER_JOINED per member: the drill-down has each listener's row.
        Event(PttEventTypes.SessionStarted, held.Office, held.SessionId, held.SpeakerUser.UserId, held.StartedAtMs, new()
        {
            ["event_id"] = eventId,
            ["epoch"] = held.Epoch.ToString(CultureInfo.InvariantCulture),
            ["speaker_name"] = held.SpeakerUser.Name,
            ["app_type"] = held.SpeakerUser.AppType,
            ["participants"] = count.ToString(CultureInfo.InvariantCulture),
            ["listeners"] = JsonSerializer.Serialize(members, PttJsonContext.Default.ListString),
            ["press_to_grant_us"] = pressToGrantUs.ToString(CultureInfo.InvariantCulture),
        });
        var stored = _events.FlushAsync();
        Log.SessionStarted(_logger, held.SessionId, held.Office, held.SpeakerUser.UserId, count);
        await stored.ConfigureAwait(false);
    }

    /// <summary>This node's members that joined a session another node granted: their rows in one statement.</summary>
    private void RecordListening(string sessionId, List<Participant> joined)
    {
        if (joined.Count > 0) _store.ParticipantsJoined(sessionId, joined);
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
