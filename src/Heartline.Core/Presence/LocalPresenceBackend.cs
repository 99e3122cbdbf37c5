using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Events;
using Heartline.Core.Protocol;

namespace Heartline.Core.Presence;

/// <summary>One node: its transitions are the scope's, announced at once on <c>presence:{scope}</c>.</summary>
internal sealed class LocalPresenceBackend(ChannelHub hub, IEventLog events) : IPresenceBackend
{
    public void Online(Principal principal, string scope, long time) => Announce(principal, scope, PresenceEvents.Online, time);

    public void Offline(Principal principal, string scope, long time) => Announce(principal, scope, PresenceEvents.Offline, time);

    public ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string scope, IReadOnlyList<PresenceUser> local,
        CancellationToken cancellationToken) => ValueTask.FromResult(local);

    public ValueTask<bool> IsConnectedElsewhereAsync(string userId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>Publishes the transition and records it in the event log.</summary>
    private void Announce(Principal principal, string scope, string kind, long time)
    {
        hub.Publish(PresenceEvents.Channel(scope), new PresenceEvent(kind, new PresenceUserRef(principal.SubjectId, principal.Name, principal.Role), time),
            HeartlineJsonContext.Default.PresenceEvent);
        PresenceEvents.Record(events, scope, principal.SubjectId, kind, time);
    }
}

internal static class PresenceEvents
{
    public const string Online = "online";
    public const string Offline = "offline";

    /// <summary>The channel of a scope's transitions, which is also the scope of their durable events.</summary>
    public static string Channel(string scope) => "presence:" + scope;

    /// <summary>Records a transition in the durable event log (USER_ONLINE, USER_OFFLINE), scoped <c>presence:{scope}</c>.</summary>
    public static void Record(IEventLog events, string scope, string userId, string kind, long time) =>
        events.Enqueue(new EventRecord(0, kind == Online ? "USER_ONLINE" : "USER_OFFLINE", Channel(scope), null, userId, time, null));
}
