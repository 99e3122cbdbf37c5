using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Events;
using Heartline.Core.Protocol;

namespace Heartline.Core.Presence;

/// <summary>One node: its transitions are the office's, announced at once on <c>presence:{office}</c>.</summary>
internal sealed class LocalPresenceBackend(ChannelHub hub, IEventLog events) : IPresenceBackend
{
    public void Online(HeartlineUser user, long time) => Announce(hub, events, user, PresenceEvents.Online, time);

    public void Offline(HeartlineUser user, long time) => Announce(hub, events, user, PresenceEvents.Offline, time);

    public ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string office, IReadOnlyList<PresenceUser> local,
        CancellationToken cancellationToken) => ValueTask.FromResult(local);

    /// <summary>Publishes the transition and records it in the event log.</summary>
    private static void Announce(ChannelHub hub, IEventLog events, HeartlineUser user, string kind, long time) =>
        Announce(hub, events, user.OfficeKey, new PresenceUserRef(user.UserId, user.Name, user.Role), kind, time);

    private static void Announce(ChannelHub hub, IEventLog events, string office, PresenceUserRef user, string kind, long time)
    {
        hub.Publish(PresenceEvents.Channel(office), new PresenceEvent(kind, user, time), HeartlineJsonContext.Default.PresenceEvent);
        PresenceEvents.Record(events, office, user.UserId, kind, time);
    }
}

internal static class PresenceEvents
{
    public const string Online = "online";
    public const string Offline = "offline";

    public static string Channel(string office) => "presence:" + office;

    /// <summary>Records a transition in the durable event log (USER_ONLINE, USER_OFFLINE).</summary>
    public static void Record(IEventLog events, string office, string userId, string kind, long time) =>
        events.Enqueue(new EventRecord(0, kind == Online ? "USER_ONLINE" : "USER_OFFLINE", office, null, userId, time, null));
}
