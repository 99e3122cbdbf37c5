using System.Globalization;
using System.Text.Json;
using Heartline.Core.Events;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    private void RecordStarted(Grant grant, long pressToGrantUs)
    {
        var eventId = Guid.NewGuid().ToString("N");
        var participants = grant.Participants.Values.ToList();
        store.SessionStarted(grant, NodeId, eventId, pressToGrantUs, participants);
        Event(PttEventTypes.SessionStarted, grant.Office, grant.SessionId, grant.SpeakerUser.UserId, new()
        {
            ["event_id"] = eventId,
            ["epoch"] = grant.Epoch.ToString(CultureInfo.InvariantCulture),
            ["speaker_name"] = grant.SpeakerUser.Name,
            ["app_type"] = grant.SpeakerUser.AppType,
            ["participants"] = participants.Count.ToString(CultureInfo.InvariantCulture),
            ["press_to_grant_us"] = pressToGrantUs.ToString(CultureInfo.InvariantCulture),
        });
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var p in participants)
        {
            events.Enqueue(new EventRecord(0, PttEventTypes.UserJoined, grant.Office, grant.SessionId, p.User.UserId, now,
                PttEventRecords.AutoJoinMetadata(p.User.AppType)));
        }
        Log.SessionStarted(logger, grant.SessionId, grant.Office, grant.SpeakerUser.UserId, participants.Count);
    }

    private void RecordEnded(Grant grant, string reason, long now)
    {
        store.SessionEnded(grant.SessionId, now, reason);
        Event(PttEventTypes.SessionEnded, grant.Office, grant.SessionId, grant.SpeakerUser.UserId, new()
        {
            ["reason"] = reason,
            ["duration_ms"] = (now - grant.StartedAtMs).ToString(CultureInfo.InvariantCulture),
        });
    }

    private void RecordJoined(Grant grant, Participant participant)
    {
        store.ParticipantJoined(grant.SessionId, participant, grant.Participants.Count);
        Event(PttEventTypes.UserJoined, grant.Office, grant.SessionId, participant.User.UserId, new() { ["app_type"] = participant.User.AppType });
    }

    private void RecordLeft(Grant grant, Participant participant, string reason)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lost = reason == "heartbeat_lost";
        store.ParticipantLeft(grant.SessionId, participant.Connection.Id, now, reason, participant.Connection.LastSeenMs, lost);
        Event(lost ? PttEventTypes.HeartbeatLost : PttEventTypes.UserLeft, grant.Office, grant.SessionId, participant.User.UserId,
            new() { ["reason"] = reason });
    }

    private void RecordBusy(string office, PttUser presser, Grant current) =>
        Event(PttEventTypes.PttBusy, office, current.SessionId, presser.UserId, new() { ["speaker"] = current.SpeakerUser.UserId });

    private void RecordSpeakerChanged(Grant grant, Grant previous)
    {
        hub.Publish(PttChannels.EventChannel(grant.Office), new SpeakerChanged("speaker_changed", grant.SessionId, grant.Epoch,
            grant.SpeakerUser, previous.SpeakerUser), PttJsonContext.Default.SpeakerChanged);
        Event(PttEventTypes.SpeakerChanged, grant.Office, grant.SessionId, grant.SpeakerUser.UserId,
            new() { ["previous"] = previous.SpeakerUser.UserId, ["previous_session_id"] = previous.SessionId });
    }

    private void Event(string type, string office, string sessionId, string userId, Dictionary<string, string> metadata) =>
        PttEventRecords.Enqueue(events, type, office, sessionId, userId, time.GetUtcNow().ToUnixTimeMilliseconds(), metadata);
}
