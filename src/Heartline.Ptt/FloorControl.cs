using System.Collections.Concurrent;
using System.Security.Cryptography;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Leases;
using Heartline.Core.Modules;
using Heartline.Core.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>A granted press as the press command answers it.</summary>
internal readonly record struct FloorGrant(string SessionId, long Epoch, string Office, long StartedAtMs);

/// <summary>Who holds the floor when a press is refused.</summary>
internal sealed record FloorHolder(PttUser Speaker, string SessionId);

/// <summary>The outcome of a press: granted (possibly by pre-emption), or busy.</summary>
/// <summary>
/// A press's outcome. <see cref="Stored"/> completes once a new grant is durable (its session row, the speaker's
/// release action and its <c>SESSION_STARTED</c> event): the speaker's reply waits for it, the listeners' notification
/// and their rows do not.
/// </summary>
internal readonly record struct FloorPress(FloorGrant? Granted, FloorHolder? Busy, bool Preempted, Task? Stored = null);

/// <summary>
/// Floor control for every office: exactly one speaker per office, leases, maximum talk time, pre-emption, fencing
/// epochs, automatic listeners and the audio relay. An office's floor is the core lease <c>ptt.floor:{office}</c>
/// (<see cref="ILeases"/>): every decision (press, release, end, a member joining or leaving) runs under that lease's
/// lock, in process on one node or on its PostgreSQL row in a cluster, and its events reach <c>ptt:{office}</c> with
/// the change, in epoch order. The same code serves one node and a cluster. Each node keeps what it needs of an office
/// (<see cref="OfficeFloor"/>): its members and listeners, the grant of a speaker connected to it (whose lease and
/// maximum talk time its timer enforces) and a view of the floor for relaying audio.
/// </summary>
internal sealed partial class FloorControl : ILeaseWatcher
{
    public const string ReleaseActionKind = "ptt.release_floor";
    private readonly ConcurrentDictionary<string, OfficeFloor> _floors = new(StringComparer.Ordinal);
    private readonly ILeases _leases;
    private readonly IPresence _presence;
    private readonly IChannels _channels;
    private readonly IDisconnectActions _disconnectActions;
    private readonly IPeerRelay _peers;
    private readonly PttStore _store;
    private readonly IEventLog _events;
    private readonly PttOptions _options;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ILogger<FloorControl> _logger;

    public FloorControl(ILeases leases, IPresence presence, IChannels channels, IDisconnectActions disconnectActions, IPeerRelay peers,
        PttStore store, IEventLog events, IOptions<PttOptions> options, HeartlineNode node, TimeProvider time,
        ILogger<FloorControl> logger)
    {
        _leases = leases;
        _presence = presence;
        _channels = channels;
        _disconnectActions = disconnectActions;
        _peers = peers;
        _store = store;
        _events = events;
        _options = options.Value;
        _nodeId = node.NodeId;
        _time = time;
        _logger = logger;
        leases.Watch(FloorData.KeyPrefix, this);
    }

    public PttOptions Options => _options;

    /// <summary>How often a held lease is extended, and how far beyond the lease: a renewal may be late once.</summary>
    internal TimeSpan RenewPeriod => TimeSpan.FromMilliseconds(Math.Max(200, _options.LeaseMs / 3));

    public OfficeFloor Floor(string office) => _floors.GetOrAdd(office, static o => new OfficeFloor(o));

    /// <summary>The grant held on this node for the office, if its speaker is connected here.</summary>
    public HeldGrant? Held(string office) => _floors.TryGetValue(office, out var floor) ? floor.Held : null;

    /// <summary>
    /// Grants the floor to <paramref name="connection"/>, or reports who holds it. A call manager pre-empts a driver
    /// when the office allows it. <paramref name="receivedTimestamp"/> is when the press frame arrived. Returns once the
    /// start was published, so the speaker's reply follows its own <c>session_started</c>.
    /// </summary>
    public async ValueTask<FloorPress> PressAsync(ClientConnection connection, long receivedTimestamp)
    {
        var principal = connection.Principal!;
        var office = principal.OfficeKey() ?? throw new InvalidOperationException("the principal has no office");
        var floor = Floor(office);
        var speaker = new PttUser(principal.SubjectId, principal.Name, connection.AppType);
        var sessionId = NewSessionId();
        var eventId = Guid.NewGuid().ToString("N");
        var press = await _leases.UpdateAsync(FloorData.Key(office),
            u => Decide(u, floor, connection, principal, speaker, sessionId, eventId)).ConfigureAwait(false);
        if (press.Busy is { } busy)
        {
            RecordBusy(office, speaker, busy);
            return new FloorPress(null, busy, false);
        }
        if (press.Existing is { } existing) return new FloorPress(existing, null, false);

        var grant = press.Granted!.Value;
        if (press.Previous is { } previous)
        {
            EndedLocally(floor, previous.Epoch, previous.Holder.SessionId, previous.Reason);
            RecordEnded(office, previous.Holder.SessionId, previous.Holder.Speaker.UserId, previous.Reason, previous.GrantedAt, grant.StartedAtMs);
            if (previous.Reason == PttEndReasons.Preempted) RecordSpeakerChanged(office, grant, speaker, previous.Holder);
        }
        var held = new HeldGrant(grant.SessionId, grant.Epoch, office, connection, speaker, grant.StartedAtMs, _time.GetTimestamp());
        Hold(floor, held);
        var listeners = StartListening(floor, grant.SessionId, grant.Epoch, grant.StartedAtMs, speaker.UserId);
        // The decision queued the session row: the reply waits for it, not for the listeners' rows queued after it.
        var sessionStored = _store.FlushAsync();
        held.DisconnectAction = RegisterReleaseActionAsync(held);
        var startStored = RecordStartedAsync(held, eventId, (long)_time.GetElapsedTime(receivedTimestamp).TotalMicroseconds, listeners);
        return new FloorPress(grant, null, press.Previous?.Reason == PttEndReasons.Preempted,
            Task.WhenAll(sessionStored, startStored, held.DisconnectAction));
    }

    /// <summary>What a press does to the locked floor: nothing (busy, or already the speaker) or a grant, ending the previous one.</summary>
    private PressDecision Decide(LeaseUpdate u, OfficeFloor floor, ClientConnection connection, Principal principal, PttUser speaker,
        string sessionId, string eventId)
    {
        var now = u.Now;
        PreviousGrant? previous = null;
        if (u.Current.Holder is { } current)
        {
            var data = FloorData.Parse(current.Data);
            var holder = new FloorHolder(new PttUser(current.UserId, data.Name, data.AppType), data.SessionId);
            if (current.ConnectionId == connection.Id)
                return new PressDecision { Existing = new FloorGrant(data.SessionId, u.Current.Epoch, floor.Office, current.GrantedAt) };
            var reason = !u.Current.HolderNodeAlive ? PttEndReasons.NodeLost
                : current.Until < now ? PttEndReasons.LeaseExpired
                : MayTakeOver(floor, u.Current, current, connection, now) ? PttEndReasons.Disconnected
                : CanPreempt(floor.Office, principal, data) ? PttEndReasons.Preempted
                : null;
            if (reason is null) return new PressDecision { Busy = holder };
            if (reason == PttEndReasons.Disconnected)
                Log.TakenOver(_logger, data.SessionId, floor.Office, principal.SubjectId, current.ConnectionId, connection.Id);
            previous = new PreviousGrant(holder, reason, u.Current.Epoch, current.GrantedAt);
            EndSession(u, floor.Office, holder.SessionId, current.UserId, u.Current.Epoch, reason, revoke: reason != PttEndReasons.NodeLost);
        }
        var epoch = u.NextEpoch;
        var office = floor.Office;
        var data2 = new FloorData(sessionId, speaker.Name, speaker.AppType, principal.Role, principal.Has(PttRoles.Preemptible));
        u.Grant(connection.Id, speaker.UserId, now + _options.LeaseMs + (long)RenewPeriod.TotalMilliseconds, data2.Serialize());
        u.Note = previous?.Reason;
        var session = new NewSession(sessionId, office, PttChannels.MediaChannel(office), epoch, _nodeId, eventId, speaker.UserId,
            speaker.Name, speaker.AppType, connection.Id, now, null, 0);
        u.Write((c, tx) => PttStore.InsertSessionAsync(c, tx, session));
        u.Publish(PttChannels.EventChannel(office), new SessionStarted("session_started", sessionId, office, PttChannels.MediaChannel(office),
            epoch, speaker, now, _options.MaxTalkMs, Media), PttJsonContext.Default.SessionStarted);
        if (previous?.Reason == PttEndReasons.Preempted)
        {
            u.Publish(PttChannels.EventChannel(office), new SpeakerChanged("speaker_changed", sessionId, epoch, speaker, previous.Holder.Speaker),
                PttJsonContext.Default.SpeakerChanged);
        }
        return new PressDecision { Granted = new FloorGrant(sessionId, epoch, office, now), Previous = previous };
    }

    /// <summary>Releases the connection's grant of <paramref name="epoch"/>; false when that is not its current grant.</summary>
    public async ValueTask<bool> ReleaseAsync(ClientConnection connection, long epoch)
    {
        if (connection.Principal?.OfficeKey() is not { } office || Held(office) is not { } held
            || held.Speaker != connection || held.Epoch != epoch)
            return false;
        return await EndAsync(office, epoch, PttEndReasons.Released, revoke: false).ConfigureAwait(false);
    }

    /// <summary>Completes once every floor decision made so far is stored: its rows and its events.</summary>
    public Task StoredAsync() => Task.WhenAll(_store.FlushAsync(), _events.FlushAsync());

    /// <summary>Extends the speaker's lease; false when the connection does not hold the floor at that epoch.</summary>
    public bool Keepalive(ClientConnection connection, long epoch)
    {
        if (connection.Principal?.OfficeKey() is not { } office || Held(office) is not { } held
            || held.Speaker != connection || held.Epoch != epoch)
            return false;
        held.Touch(_time.GetTimestamp());
        return true;
    }

    /// <summary>Ends the grant of <paramref name="epoch"/> in <paramref name="office"/> if it is still current (disconnect actions).</summary>
    public async ValueTask<bool> EndIfCurrentAsync(string office, long epoch, string reason, CancellationToken cancellationToken = default) =>
        await EndAsync(office, epoch, reason,
            revoke: reason is not (PttEndReasons.Disconnected or PttEndReasons.NodeLost or PttEndReasons.ServerRestart),
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Ends the grant of <paramref name="epoch"/> if the floor still holds it, from any node: frees the floor, ends the
    /// session and its participants, publishes the end. False when it was not current (already ended or superseded).
    /// </summary>
    internal async Task<bool> EndAsync(string office, long epoch, string reason, bool revoke, CancellationToken cancellationToken = default)
    {
        var ended = await _leases.UpdateAsync(FloorData.Key(office), u =>
        {
            if (u.Current.Holder is not { } holder || u.Current.Epoch != epoch) return null;
            var data = FloorData.Parse(holder.Data);
            u.Release();
            u.Note = reason;
            EndSession(u, office, data.SessionId, holder.UserId, epoch, reason, revoke);
            return new EndedFloor(data.SessionId, holder.UserId, holder.GrantedAt);
        }, cancellationToken).ConfigureAwait(false);
        var floor = Floor(office);
        if (ended is null)
        {
            // Not current any more: whatever this node still holds of it is stale.
            DropHeld(floor, epoch, reason);
            return false;
        }
        EndedLocally(floor, epoch, ended.SessionId, reason);
        RecordEnded(office, ended.SessionId, ended.SpeakerUserId, reason, ended.GrantedAt, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Log.SessionEnded(_logger, ended.SessionId, office, reason);
        return true;
    }

    /// <summary>Publishes a session's end (and the revocation) and writes it, with the decision that ends it.</summary>
    private void EndSession(LeaseUpdate u, string office, string sessionId, string speakerUserId, long epoch, string reason, bool revoke)
    {
        var channel = PttChannels.EventChannel(office);
        if (revoke)
            u.Publish(channel, new FloorRevoked("floor_revoked", sessionId, epoch, speakerUserId, reason), PttJsonContext.Default.FloorRevoked);
        u.Publish(channel, new SessionEnded("session_ended", sessionId, epoch, reason, u.Now, _options.SessionHangMs),
            PttJsonContext.Default.SessionEnded);
        var now = u.Now;
        u.Write((c, tx) => PttStore.EndAsync(c, tx, sessionId, now, reason));
    }

    /// <summary>
    /// The takeover rule (<see cref="PttDeadlines.MayTakeOver"/>) on the locked floor: the same user on another
    /// connection, and the holder closing or silent long enough. A holder on this node is judged by its exact last
    /// activity. One on another node by the activity its lease was last extended for (its end minus the lease and one
    /// renewal period); that node extends it once per period, so a talking holder can look silent for up to one period
    /// more than it is, and the silence it must show here is one period longer.
    /// </summary>
    private bool MayTakeOver(OfficeFloor floor, LeaseState state, LeaseHolder holder, ClientConnection presser, long now)
    {
        if (!string.Equals(holder.UserId, presser.Principal!.SubjectId, StringComparison.Ordinal)) return false;
        if (floor.Held is { } held && held.Epoch == state.Epoch && held.Speaker.Id == holder.ConnectionId)
            return PttDeadlines.MayTakeOver(_time, _options, held, presser);
        var renewal = (long)RenewPeriod.TotalMilliseconds;
        var lastActivity = holder.Until - _options.LeaseMs - renewal;
        return now - lastActivity >= PttDeadlines.TakeoverSilence(_options).TotalMilliseconds + renewal;
    }

    private bool CanPreempt(string office, Principal presser, FloorData holder) =>
        _options.PreemptionFor(office) && presser.Has(PttRoles.Preempt) && holder.Preemptible == true;

    /// <summary>A grant of this node's speaker committed: it becomes the office's held floor, with its deadline timer.</summary>
    private void Hold(OfficeFloor floor, HeldGrant held)
    {
        lock (floor.Lock)
        {
            if (floor.Held is { } old && old != held) DropHeldLocked(floor, old, PttEndReasons.Preempted);
            var view = floor.View;
            if (held.Epoch >= view.Epoch && (held.Epoch > view.Epoch || view.SessionId != held.SessionId || !view.Active))
                floor.View = new FloorView(held.Epoch, held.SessionId, true, null, 0, PreviousOf(view, held.SessionId));
            // A newer grant may already be known (a pre-emption right after this one): then this one is over.
            if (floor.View.Epoch != held.Epoch || !floor.View.Active) return;
            floor.Held = held;
            ArmTimer(floor, held);
        }
    }

    private void DropHeld(OfficeFloor floor, long epoch, string reason)
    {
        lock (floor.Lock)
        {
            if (floor.Held is { } held && held.Epoch == epoch) DropHeldLocked(floor, held, reason);
        }
    }

    private void DropHeldLocked(OfficeFloor floor, HeldGrant held, string reason)
    {
        floor.Held = null;
        floor.Timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        floor.LastHeld = new EndedGrant(held, reason, _time.GetTimestamp());
        _store.SessionFrames(held.SessionId, held.Frames);
        if (_options.Recordings.Enabled) _ = SaveRecordingAsync(held);
        // A disconnect action that ends the grant is running now; every other end makes it unnecessary.
        if (reason != PttEndReasons.Disconnected) _ = CancelReleaseActionAsync(held);
    }

    /// <summary>Arms the office timer for the held grant's next deadline: the lease or the maximum talk time.</summary>
    private void ArmTimer(OfficeFloor floor, HeldGrant held)
    {
        floor.Timer ??= _time.CreateTimer(static state =>
        {
            var (control, f) = ((FloorControl, OfficeFloor))state!;
            control.CheckDeadlines(f);
        }, (this, floor), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        PttDeadlines.Due(_time, _options, held.StartedTimestamp, held.LastActivityTimestamp, out var next);
        floor.Timer.Change(next, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Timer callback: ends the held grant whose lease or talk time ran out, otherwise re-arms for the next deadline.</summary>
    internal void CheckDeadlines(OfficeFloor floor)
    {
        HeldGrant held;
        string reason;
        lock (floor.Lock)
        {
            if (floor.Held is not { } current) return;
            held = current;
            if (PttDeadlines.Due(_time, _options, held.StartedTimestamp, held.LastActivityTimestamp, out var next) is not { } due)
            {
                floor.Timer?.Change(next, Timeout.InfiniteTimeSpan);
                return;
            }
            reason = due;
            if (Interlocked.Exchange(ref held.Ending, 1) != 0) return;
        }
        _ = EndFromTimerAsync(floor, held, reason);
    }

    private async Task EndFromTimerAsync(OfficeFloor floor, HeldGrant held, string reason)
    {
        try
        {
            await EndAsync(floor.Office, held.Epoch, reason, revoke: true).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The database is unreachable: try again shortly; meanwhile the lease in the store runs out for the others.
            Log.EndFailed(_logger, ex, held.SessionId, reason);
            Volatile.Write(ref held.Ending, 0);
            lock (floor.Lock)
            {
                if (floor.Held == held) floor.Timer?.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task<string?> RegisterReleaseActionAsync(HeldGrant held)
    {
        try
        {
            var payload = $"{{\"office\":\"{held.Office}\",\"epoch\":{held.Epoch},\"session_id\":\"{held.SessionId}\"}}";
            return await _disconnectActions.RegisterAsync(held.Speaker, ReleaseActionKind, payload).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionFailed(_logger, ex, held.SessionId);
            return null;
        }
    }

    private async Task CancelReleaseActionAsync(HeldGrant held)
    {
        try
        {
            if (await held.DisconnectAction.ConfigureAwait(false) is { } actionId)
                await _disconnectActions.CancelAsync(held.Speaker.Id, actionId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionFailed(_logger, ex, held.SessionId);
        }
    }

    private PttMedia Media => new(_options.MediaProvider, [_options.TokenDelayMinMs, _options.TokenDelayMaxMs]);

    private static string? PreviousOf(FloorView view, string sessionId) =>
        view.SessionId is { } current && current != sessionId ? current : view.PreviousSessionId;

    private static string NewSessionId() => "s_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    /// <summary>The grant a press ended: its holder, why, and its epoch and start.</summary>
    private sealed record PreviousGrant(FloorHolder Holder, string Reason, long Epoch, long GrantedAt);

    private sealed record PressDecision
    {
        public FloorHolder? Busy { get; init; }
        public FloorGrant? Existing { get; init; }
        public FloorGrant? Granted { get; init; }
        public PreviousGrant? Previous { get; init; }
    }

    private sealed record EndedFloor(string SessionId, string SpeakerUserId, long GrantedAt);
}
