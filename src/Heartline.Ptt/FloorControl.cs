using System.Collections.Concurrent;
using System.Security.Cryptography;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>The outcome of a press.</summary>
internal readonly record struct PressOutcome(Grant? Granted, Grant? Busy, bool Preempted);

/// <summary>
/// Floor control for every office of this node: exactly one speaker per office, leases, maximum talk time,
/// pre-emption, fencing epochs, automatic listeners and the audio relay. Every change of an office happens under its
/// lock, and the office's events are published to <c>ptt:{office}</c> inside that lock, so every member sees them in
/// epoch order.
/// </summary>
internal sealed partial class FloorControl(
    ChannelHub hub,
    PresenceTracker presence,
    DisconnectActions disconnectActions,
    PttStore store,
    IEventLog events,
    IOptions<PttOptions> options,
    IOptions<PresenceOptions> presenceOptions,
    TimeProvider time,
    ILogger<FloorControl> logger)
{
    public const string ReleaseActionKind = "ptt.release_floor";
    private readonly ConcurrentDictionary<string, OfficeFloor> _floors = new(StringComparer.Ordinal);
    private readonly PttOptions _options = options.Value;

    public PttOptions Options => _options;

    public OfficeFloor Floor(string office) => _floors.GetOrAdd(office, static o => new OfficeFloor(o));

    public Grant? Current(string office) => _floors.TryGetValue(office, out var floor) ? floor.Current : null;

    /// <summary>
    /// Grants the floor to <paramref name="connection"/>, or reports who holds it. A call manager pre-empts a driver
    /// when the office allows it. <paramref name="receivedTimestamp"/> is when the press frame arrived.
    /// <paramref name="onGranted"/> runs inside the office lock before the start is published, so the speaker's reply
    /// precedes its own <c>session_started</c> in its queue (and the grant is as early as it can be).
    /// </summary>
    public PressOutcome Press(ClientConnection connection, long receivedTimestamp, Action<Grant, bool>? onGranted = null)
    {
        var user = connection.User!;
        var floor = Floor(user.OfficeKey);
        var speaker = new PttUser(user.UserId, user.Name, connection.AppType);
        lock (floor.Lock)
        {
            var current = floor.Current;
            var preempted = false;
            if (current is not null)
            {
                if (current.Speaker == connection)
                    return new PressOutcome(current, null, false);
                if (PttDeadlines.MayTakeOver(time, _options, current, connection))
                {
                    // The user's own abandoned connection (a silent drop, then a reconnect): it would block them until its lease lapsed.
                    Log.TakenOver(logger, current.SessionId, floor.Office, user.UserId, current.Speaker.Id, connection.Id);
                    EndLocked(floor, current, PttEndReasons.Disconnected, revoke: true);
                }
                else if (!CanPreempt(current, connection))
                {
                    RecordBusy(floor.Office, speaker, current);
                    return new PressOutcome(null, current, false);
                }
                else
                {
                    preempted = true;
                    EndLocked(floor, current, PttEndReasons.Preempted, revoke: true);
                }
            }
            var grant = GrantLocked(floor, connection, speaker, receivedTimestamp, preempted, onGranted);
            if (preempted && current is not null) RecordSpeakerChanged(grant, current);
            return new PressOutcome(grant, null, preempted);
        }
    }

    /// <summary>Releases the floor if <paramref name="epoch"/> is the connection's current grant; an older epoch is ignored.</summary>
    public bool Release(ClientConnection connection, long epoch)
    {
        var floor = Floor(connection.User!.OfficeKey);
        lock (floor.Lock)
        {
            var current = floor.Current;
            if (current is null || current.Speaker != connection || current.Epoch != epoch) return false;
            EndLocked(floor, current, PttEndReasons.Released, revoke: false);
            return true;
        }
    }

    /// <summary>Extends the speaker's lease; false when the connection does not hold the floor at that epoch.</summary>
    public bool Keepalive(ClientConnection connection, long epoch)
    {
        var current = Current(connection.User!.OfficeKey);
        if (current is null || current.Speaker != connection || current.Epoch != epoch) return false;
        current.Touch(time.GetTimestamp());
        return true;
    }

    /// <summary>Ends the grant of <paramref name="epoch"/> in <paramref name="office"/>, if it is still current.</summary>
    public bool EndIfCurrent(string office, long epoch, string reason)
    {
        if (!_floors.TryGetValue(office, out var floor)) return false;
        lock (floor.Lock)
        {
            var current = floor.Current;
            if (current is null || current.Epoch != epoch) return false;
            EndLocked(floor, current, reason, revoke: reason != PttEndReasons.Disconnected);
            return true;
        }
    }

    private bool CanPreempt(Grant current, ClientConnection presser) =>
        _options.PreemptionFor(current.Office)
        && presser.User!.Role == Heartline.Core.Auth.Roles.CallManager
        && current.Speaker.User!.Role == Heartline.Core.Auth.Roles.PickupDriver;

    private Grant GrantLocked(OfficeFloor floor, ClientConnection connection, PttUser speaker, long receivedTimestamp,
        bool preempted, Action<Grant, bool>? onGranted)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Epochs only grow, also across restarts: never below the clock in milliseconds.
        floor.Epoch = Math.Max(floor.Epoch + 1, now);
        var grant = new Grant(NewSessionId(), floor.Epoch, floor.Office, connection, speaker, now, time.GetTimestamp());
        foreach (var member in presence.Connections(floor.Office))
        {
            // The speaker's own other connections (another device, or a dropped one not yet closed) do not listen to it.
            if (member.IsClosing || !PttChannels.IsMemberRole(member.User!.Role) || IsSpeakersOwn(member, speaker)) continue;
            grant.Participants[member.Id] = new Participant(member, new PttUser(member.User.UserId, member.User.Name, member.AppType), now);
        }
        grant.RebuildListeners();
        floor.Current = grant;
        ArmTimer(floor, grant);
        onGranted?.Invoke(grant, preempted);

        hub.Publish(PttChannels.EventChannel(floor.Office), new SessionStarted("session_started", grant.SessionId, floor.Office,
            PttChannels.MediaChannel(floor.Office), grant.Epoch, speaker, now, _options.MaxTalkMs,
            new PttMedia(_options.MediaProvider, [_options.TokenDelayMinMs, _options.TokenDelayMaxMs])),
            PttJsonContext.Default.SessionStarted);

        var pressToGrantUs = (long)time.GetElapsedTime(receivedTimestamp).TotalMicroseconds;
        RecordStarted(grant, pressToGrantUs);
        // Registered off the press path: the action is in memory at once and reaches the disk a moment later.
        grant.DisconnectAction = RegisterReleaseActionAsync(grant);
        return grant;
    }

    private async Task<string?> RegisterReleaseActionAsync(Grant grant)
    {
        try
        {
            var payload = $"{{\"office\":\"{grant.Office}\",\"epoch\":{grant.Epoch},\"session_id\":\"{grant.SessionId}\"}}";
            return await disconnectActions.RegisterAsync(grant.Speaker, ReleaseActionKind, payload).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionRegistrationFailed(logger, ex, grant.SessionId);
            return null;
        }
    }

    private static bool IsSpeakersOwn(ClientConnection connection, PttUser speaker) =>
        string.Equals(connection.User!.UserId, speaker.UserId, StringComparison.Ordinal);

    private static string NewSessionId() => "s_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    private string NodeId => presenceOptions.Value.NodeId;
}
