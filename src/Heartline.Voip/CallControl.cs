using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Core.Events;
using Heartline.Core.Leases;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary>The outcome of a call command: the call as it is now, or an error.</summary>
internal readonly record struct CallOutcome(CallData? Call, ErrorCode? Error, string? Message, bool Glare = false, bool Created = false)
{
    public static CallOutcome Fail(ErrorCode code, string message) => new(null, code, message);
}

/// <summary>
/// Calls between two parties over the core's leases: the pair's call lease holds the call's state and is changed only
/// under its lock (so invite, glare, accept, hang-up and the ends a connection's loss causes are decided once, on
/// whichever node), and each party's line lease says which pair it is engaged with (busy). Every decision publishes its
/// events to the parties' inboxes (<c>voip:{party}</c>) and writes the call record with it. docs/voip.md.
/// </summary>
internal sealed partial class CallControl(
    ILeases leases, IChannels channels, IEventLog events, GuestStore store, IOptions<VoipOptions> options, VoipMetrics metrics,
    Heartline.Core.Modules.HeartlineNode node, TimeProvider time, ILogger<CallControl> logger) : IDisposable
{
    private static readonly TimeSpan StaleLineAge = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<ITimer, byte> _timers = new();
    private VoipOptions Options => options.Value;

    public async ValueTask<CallOutcome> InviteAsync(PartyInfo caller, string callerConnection, PartyInfo callee, string tenant,
        string media, CancellationToken cancellationToken)
    {
        var key = CallKeys.Call(caller.Id, callee.Id);
        var callerLine = await TakeLineAsync(caller.Id, key, callerConnection, cancellationToken).ConfigureAwait(false);
        if (callerLine is not { } mine) return CallOutcome.Fail(VoipErrors.InCall, "you are in another call: hang it up first");
        var calleeLine = await TakeLineAsync(callee.Id, key, callerConnection, cancellationToken).ConfigureAwait(false);
        if (calleeLine is not { } theirs)
        {
            if (mine.Fresh) await FreeLineAsync(caller.Id, mine.Epoch, cancellationToken).ConfigureAwait(false);
            metrics.Busy();
            return CallOutcome.Fail(VoipErrors.Busy, "the callee is in another call");
        }
        var outcome = await leases.UpdateAsync(key, u =>
        {
            var current = CallData.Parse(u.Current.Holder?.Data);
            if (current is null)
            {
                var call = new CallData(NewCallId(), tenant, caller.Id, caller.Name, callee.Id, callee.Name, media, CallData.Ringing,
                    u.Now, null, callerConnection, null, null, null, mine.Epoch, theirs.Epoch);
                u.Grant(callerConnection, caller.Id, u.Now + Options.MaxCallSeconds * 1000L, call.Serialize());
                u.Publish(GuestNames.Inbox(callee.Id), new CallEvent("incoming", call.CallId) { From = caller, Media = media }, VoipJson.Default.CallEvent);
                u.Publish(GuestNames.Inbox(caller.Id), new CallEvent("ringing", call.CallId) { To = callee, Media = media }, VoipJson.Default.CallEvent);
                u.Write(GuestStore.CallStarted(call));
                return new CallOutcome(call, null, null, Created: true);
            }
            var lines = current with
            {
                CallerLine = Math.Max(current.CallerLine, current.Caller == caller.Id ? mine.Epoch : theirs.Epoch),
                CalleeLine = Math.Max(current.CalleeLine, current.Callee == callee.Id ? theirs.Epoch : mine.Epoch),
            };
            if (current.Caller == callee.Id && current.State == CallData.Ringing)
            {
                // Glare: the callee had just called the caller. The second invite answers the first.
                var answered = lines with { State = CallData.Active, AnsweredAt = u.Now, CalleeConnection = callerConnection };
                Keep(u, answered);
                PublishAccepted(u, answered);
                u.Write(GuestStore.CallAnswered(answered.CallId, u.Now));
                return new CallOutcome(answered, null, null, Glare: true);
            }
            // The same invite again, or an invite into the pair's ongoing call: answer with the call as it is.
            Keep(u, lines);
            return new CallOutcome(lines, null, null);
        }, cancellationToken).ConfigureAwait(false);
        var started = outcome.Call!;
        if (outcome.Created)
        {
            ScheduleRingTimeout(key, started.CallId);
            events.Enqueue(Event("voip.call_started", started, null));
            metrics.CallStarted();
        }
        else if (outcome.Glare)
        {
            events.Enqueue(Event("voip.call_answered", started, null));
            metrics.CallAnswered();
        }
        return outcome;
    }

    public async ValueTask<CallOutcome> AcceptAsync(string party, string connectionId, string callId, CancellationToken cancellationToken)
    {
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is not { } key) return NoCall();
        var accepted = await leases.UpdateAsync(key, u =>
        {
            var call = CallData.Parse(u.Current.Holder?.Data);
            if (call is null || call.CallId != callId || call.Callee != party || call.State != CallData.Ringing) return null;
            var answered = call with { State = CallData.Active, AnsweredAt = u.Now, CalleeConnection = connectionId };
            Keep(u, answered);
            PublishAccepted(u, answered);
            u.Write(GuestStore.CallAnswered(answered.CallId, u.Now));
            return answered;
        }, cancellationToken).ConfigureAwait(false);
        if (accepted is null) return NoCall();
        events.Enqueue(Event("voip.call_answered", accepted, null));
        metrics.CallAnswered();
        return new CallOutcome(accepted, null, null);
    }

    /// <summary>
    /// Ends <paramref name="party"/>'s call <paramref name="callId"/> by its own command: <c>reject</c> (the callee, while
    /// ringing), <c>cancel</c> (the caller, while ringing) or <c>hangup</c> (either, any time; while ringing it counts as
    /// the cancel or reject it is).
    /// </summary>
    public async ValueTask<CallOutcome> EndByPartyAsync(string party, string callId, string command, CancellationToken cancellationToken)
    {
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is not { } key) return NoCall();
        string? reason = null;
        var ended = await EndAsync(key, call =>
        {
            if (call.CallId != callId || !call.IsParty(party)) return null;
            var ringing = call.State == CallData.Ringing;
            reason = command switch
            {
                "reject" when ringing && call.Callee == party => CallEndReasons.Rejected,
                "cancel" when ringing && call.Caller == party => CallEndReasons.Cancelled,
                "hangup" when ringing => call.Caller == party ? CallEndReasons.Cancelled : CallEndReasons.Rejected,
                "hangup" => CallEndReasons.Hangup,
                _ => null,
            };
            return reason;
        }, cancellationToken).ConfigureAwait(false);
        return ended is null ? NoCall() : new CallOutcome(ended, null, null);
    }

    /// <summary>Relays an SDP or ICE message to the other party of an answered (or ringing) call of <paramref name="party"/>.</summary>
    public async ValueTask<bool> SignalAsync(string party, string callId, string kind, JsonElement data, CancellationToken cancellationToken)
    {
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is not { } key) return false;
        var state = await leases.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (CallData.Parse(state.Holder?.Data) is not { } call || call.CallId != callId || !call.IsParty(party)) return false;
        channels.Publish(GuestNames.Inbox(call.Other(party)),
            new CallEvent("signal", callId)
            {
                From = party == call.Caller ? call.CallerInfo : call.CalleeInfo, Kind = kind, Data = data,
            }, VoipJson.Default.CallEvent);
        return true;
    }

    /// <summary>
    /// The connection <paramref name="connectionId"/> of <paramref name="party"/> ended (a disconnect action): its call
    /// waits for it for the reclaim window (the other side sees <c>reconnecting</c>), or ends at once with
    /// <c>server_restart</c> after a crash, and when a single node stops (its leases go with it; in a cluster another
    /// node keeps the call for the party's reconnect).
    /// </summary>
    public async ValueTask PartyDroppedAsync(string party, string connectionId, string reason, CancellationToken cancellationToken)
    {
        if (reason == Heartline.Core.Presence.DisconnectReasons.ServerRestart
            || (reason == Heartline.Core.Presence.DisconnectReasons.ServerShutdown && !node.IsCluster))
        {
            await EndPartyCallsAsync(party, CallEndReasons.ServerRestart, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is not { } key) return;
        var window = Options.ReclaimWindowSeconds * 1000L;
        if (window == 0)
        {
            await EndAsync(key, call => call.ConnectionOf(party) == connectionId ? CallEndReasons.PeerGone : null, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        var away = await leases.UpdateAsync(key, u =>
        {
            var call = CallData.Parse(u.Current.Holder?.Data);
            if (call is null || call.ConnectionOf(party) != connectionId || call.AwayUntil(party) is not null) return null;
            var deadline = u.Now + window;
            var updated = party == call.Caller ? call with { CallerAwayUntil = deadline } : call with { CalleeAwayUntil = deadline };
            Keep(u, updated);
            u.Publish(GuestNames.Inbox(call.Other(party)), new CallEvent("reconnecting", call.CallId) { Party = party, Deadline = deadline },
                VoipJson.Default.CallEvent);
            return updated;
        }, cancellationToken).ConfigureAwait(false);
        if (away is null) return;
        Log.PartyAway(logger, away.CallId, party, reason);
        Schedule(TimeSpan.FromMilliseconds(window), () => EndAsync(key,
            call => call.CallId == away.CallId && call.AwayUntil(party) is { } until && until <= Now() ? CallEndReasons.PeerGone : null,
            CancellationToken.None));
    }

    /// <summary>
    /// <paramref name="party"/> connected (again) through <paramref name="connectionId"/>: a call waiting for it continues
    /// there, and both sides are told <c>reconnected</c> (the caller restarts ICE).
    /// </summary>
    public async ValueTask PartyReturnedAsync(string party, string connectionId, CancellationToken cancellationToken)
    {
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is not { } key) return;
        await leases.UpdateAsync(key, u =>
        {
            var call = CallData.Parse(u.Current.Holder?.Data);
            // A ringing callee has no connection of its own yet: every connection of it rings.
            if (call is null || !call.IsParty(party) || call.ConnectionOf(party) is null || call.ConnectionOf(party) == connectionId) return 0;
            var updated = party == call.Caller
                ? call with { CallerAwayUntil = null, CallerConnection = connectionId }
                : call with { CalleeAwayUntil = null, CalleeConnection = connectionId };
            Keep(u, updated);
            var back = new CallEvent("reconnected", call.CallId) { Party = party, Caller = call.Caller };
            u.Publish(GuestNames.Inbox(call.Caller), back, VoipJson.Default.CallEvent);
            u.Publish(GuestNames.Inbox(call.Callee), back, VoipJson.Default.CallEvent);
            return 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the calls of every party in <paramref name="parties"/> (a purge may name 100,000): only those engaged in a
    /// line or an open call record are looked at, which are few.
    /// </summary>
    public async ValueTask<int> EndCallsOfAsync(IReadOnlyCollection<string> parties, string reason, CancellationToken cancellationToken)
    {
        if (parties.Count == 0) return 0;
        var engaged = new HashSet<string>(await store.PartiesInOpenCallsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var line in await leases.ListHeldAsync(CallKeys.LinePrefix, cancellationToken).ConfigureAwait(false))
            engaged.Add(line.Key[CallKeys.LinePrefix.Length..]);
        var ended = 0;
        foreach (var party in parties)
        {
            if (engaged.Contains(party)) ended += await EndPartyCallsAsync(party, reason, cancellationToken).ConfigureAwait(false);
        }
        return ended;
    }

    /// <summary>Ends every call of <paramref name="party"/> with <paramref name="reason"/>: its lease, and any open record left without one (after a crash).</summary>
    public async ValueTask<int> EndPartyCallsAsync(string party, string reason, CancellationToken cancellationToken)
    {
        var ended = 0;
        if (await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is { } key
            && await EndAsync(key, call => call.IsParty(party) ? reason : null, cancellationToken).ConfigureAwait(false) is not null)
            ended++;
        var now = Now();
        foreach (var row in await store.EndOpenCallsAsync(party, now, reason, cancellationToken).ConfigureAwait(false))
        {
            var duration = row.AnsweredAt is { } a ? now - a : 0;
            var message = new CallEvent("ended", row.Id) { Reason = reason, DurationMs = duration };
            channels.Publish(GuestNames.Inbox(row.CallerId), message, VoipJson.Default.CallEvent);
            channels.Publish(GuestNames.Inbox(row.CalleeId), message, VoipJson.Default.CallEvent);
            events.Enqueue(new EventRecord(0, "voip.call_ended", GuestNames.Scope(row.Tenant), row.Id, party, now,
                JsonSerializer.Serialize(new CallEventMetadata(row.Id, row.CallerId, row.CalleeId, row.Media, reason,
                    (row.AnsweredAt ?? now) - row.CreatedAt, row.AnsweredAt is { } at ? now - at : null), VoipJson.Default.CallEventMetadata)));
            metrics.CallEnded(reason);
            ended++;
        }
        return ended;
    }

    /// <summary>
    /// At start-up: ends the call records no lease holds (a single node's leases die with it; in a cluster, a call
    /// whose lease was released without its record), with <c>server_restart</c>, telling both parties.
    /// </summary>
    public async Task<int> EndOrphanedCallsAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var party in await store.PartiesInOpenCallsAsync(cancellationToken).ConfigureAwait(false))
        {
            var call = await CallOfAsync(party, cancellationToken).ConfigureAwait(false);
            if (call is not null) continue;
            ended += await EndPartyCallsAsync(party, CallEndReasons.ServerRestart, cancellationToken).ConfigureAwait(false);
        }
        return ended;
    }

    /// <summary>
    /// The backstop of the timers (which live on the node that set them): ends calls that rang too long, waited past a
    /// party's reclaim deadline or ran past the longest call, and frees lines whose call is gone.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        var swept = 0;
        foreach (var lease in await leases.ListHeldAsync(CallKeys.CallPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (CallData.Parse(lease.Holder?.Data) is not { } call) continue;
            if (Expired(call, now) is null) continue;
            if (await EndAsync(lease.Key, c => c.CallId == call.CallId ? Expired(c, Now()) : null, cancellationToken).ConfigureAwait(false) is not null)
                swept++;
        }
        foreach (var line in await leases.ListHeldAsync(CallKeys.LinePrefix, cancellationToken).ConfigureAwait(false))
        {
            if (line.Holder is not { } holder || now - holder.GrantedAt < StaleLineAge.TotalMilliseconds) continue;
            var pair = await leases.ReadAsync(holder.Data, cancellationToken).ConfigureAwait(false);
            if (pair.Holder is not null) continue;
            await FreeLineAsync(line.Key[CallKeys.LinePrefix.Length..], line.Epoch, cancellationToken).ConfigureAwait(false);
            swept++;
        }
        return swept;
    }

    /// <summary>The pair key of the call <paramref name="party"/> is engaged in, or null.</summary>
    public async ValueTask<string?> PairOfAsync(string party, CancellationToken cancellationToken) =>
        (await leases.ReadAsync(CallKeys.Line(party), cancellationToken).ConfigureAwait(false)).Holder?.Data;

    /// <summary>The call <paramref name="party"/> is in, or null.</summary>
    public async ValueTask<CallData?> CallOfAsync(string party, CancellationToken cancellationToken) =>
        await PairOfAsync(party, cancellationToken).ConfigureAwait(false) is { } key
            ? CallData.Parse((await leases.ReadAsync(key, cancellationToken).ConfigureAwait(false)).Holder?.Data)
            : null;

    /// <summary>The held calls (for statistics).</summary>
    public async ValueTask<(int Ringing, int Active)> CountAsync(CancellationToken cancellationToken)
    {
        int ringing = 0, active = 0;
        foreach (var lease in await leases.ListHeldAsync(CallKeys.CallPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (CallData.Parse(lease.Holder?.Data)?.State == CallData.Ringing) ringing++;
            else active++;
        }
        return (ringing, active);
    }

    public void Dispose()
    {
        foreach (var timer in _timers.Keys) timer.Dispose();
        _timers.Clear();
    }

    private string? Expired(CallData call, long now)
    {
        if (call.State == CallData.Ringing && now - call.CreatedAt >= Options.RingTimeoutSeconds * 1000L) return CallEndReasons.NoAnswer;
        if (call.AwayDeadline is { } deadline && deadline <= now) return CallEndReasons.PeerGone;
        if (now - call.CreatedAt >= Options.MaxCallSeconds * 1000L) return CallEndReasons.MaxDuration;
        return null;
    }

    /// <summary>Ends the pair's call when <paramref name="reasonFor"/> gives a reason for it; frees its lines; returns the call ended.</summary>
    private async ValueTask<CallData?> EndAsync(string key, Func<CallData, string?> reasonFor, CancellationToken cancellationToken)
    {
        string? reason = null;
        var ended = await leases.UpdateAsync(key, u =>
        {
            var call = CallData.Parse(u.Current.Holder?.Data);
            if (call is null || (reason = reasonFor(call)) is null) return null;
            u.ReleaseAndForget();
            var message = new CallEvent("ended", call.CallId) { Reason = reason, DurationMs = call.AnsweredAt is { } a ? u.Now - a : 0 };
            u.Publish(GuestNames.Inbox(call.Caller), message, VoipJson.Default.CallEvent);
            u.Publish(GuestNames.Inbox(call.Callee), message, VoipJson.Default.CallEvent);
            u.Write(GuestStore.CallEnded(call.CallId, u.Now, reason));
            return call;
        }, cancellationToken).ConfigureAwait(false);
        if (ended is null) return null;
        await FreeLineAsync(ended.Caller, ended.CallerLine, cancellationToken).ConfigureAwait(false);
        await FreeLineAsync(ended.Callee, ended.CalleeLine, cancellationToken).ConfigureAwait(false);
        events.Enqueue(Event("voip.call_ended", ended, reason));
        metrics.CallEnded(reason!);
        Log.CallEnded(logger, ended.CallId, reason!);
        return ended;
    }

    private EventRecord Event(string type, CallData call, string? reason)
    {
        var now = Now();
        var ring = (call.AnsweredAt ?? now) - call.CreatedAt;
        long? talk = call.AnsweredAt is { } a && reason is not null ? now - a : null;
        return new EventRecord(0, type, GuestNames.Scope(call.Tenant), call.CallId, call.Caller, now,
            JsonSerializer.Serialize(new CallEventMetadata(call.CallId, call.Caller, call.Callee, call.Media, reason,
                type == "voip.call_started" ? null : ring, talk), VoipJson.Default.CallEventMetadata));
    }

    /// <summary>Takes <paramref name="party"/>'s line for the pair <paramref name="key"/> (again, at a new epoch, when it is already the pair's); null when it is another pair's.</summary>
    private ValueTask<(long Epoch, bool Fresh)?> TakeLineAsync(string party, string key, string connectionId, CancellationToken cancellationToken) =>
        leases.UpdateAsync<(long, bool)?>(CallKeys.Line(party), u =>
        {
            var holder = u.Current.Holder;
            if (holder is not null && holder.Data != key) return null;
            u.Grant(connectionId, party, u.Now + Options.MaxCallSeconds * 1000L, key);
            return (u.NextEpoch, holder is null);
        }, cancellationToken);

    private async ValueTask FreeLineAsync(string party, long epoch, CancellationToken cancellationToken) =>
        await leases.UpdateAsync(CallKeys.Line(party), u =>
        {
            if (u.Current.Holder is not null && u.Current.Epoch == epoch) u.ReleaseAndForget();
            return 0;
        }, cancellationToken).ConfigureAwait(false);

    private static void Keep(LeaseUpdate u, CallData call)
    {
        var holder = u.Current.Holder!;
        u.Grant(holder.ConnectionId, holder.UserId, holder.Until, call.Serialize());
    }

    private static void PublishAccepted(LeaseUpdate u, CallData call)
    {
        var accepted = new CallEvent("accepted", call.CallId) { Media = call.Media, Caller = call.Caller };
        u.Publish(GuestNames.Inbox(call.Caller), accepted, VoipJson.Default.CallEvent);
        u.Publish(GuestNames.Inbox(call.Callee), accepted, VoipJson.Default.CallEvent);
    }

    private void ScheduleRingTimeout(string key, string callId) =>
        Schedule(TimeSpan.FromSeconds(Options.RingTimeoutSeconds), () => EndAsync(key,
            call => call.CallId == callId && call.State == CallData.Ringing ? CallEndReasons.NoAnswer : null, CancellationToken.None));

    /// <summary>Runs <paramref name="work"/> once after <paramref name="due"/> on the injected clock (kept referenced until then).</summary>
    private void Schedule(TimeSpan due, Func<ValueTask<CallData?>> work)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            if (timer is not null && _timers.TryRemove(timer, out byte _)) timer.Dispose();
            _ = RunAsync(work);
        }, null, due, Timeout.InfiniteTimeSpan);
        _timers[timer] = 0;
    }

    private async Task RunAsync(Func<ValueTask<CallData?>> work)
    {
        try { await work().ConfigureAwait(false); }
        catch (Exception ex) { Log.TimerFailed(logger, ex); }
    }

    private static CallOutcome NoCall() => CallOutcome.Fail(VoipErrors.NoCall, "no such call of yours in that state");

    private static string NewCallId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
