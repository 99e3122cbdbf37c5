using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Where a client left a channel: the offset and epoch of the last publication it processed.</summary>
internal readonly record struct StreamPosition(long Offset, string Epoch);

/// <summary>
/// This node's channels: subscriptions with recovery and ordered fan-out over the node's <see cref="IBroker"/>. A
/// channel is followed here once someone subscribes; the broker numbers its publications and delivers them in offset
/// order, and the hub builds each <c>pub</c> frame once, queues the same bytes to every subscriber and keeps them as a
/// recent history for fast recovery. Every change of a channel's offset happens under its lock, and a subscription is
/// added under the same lock right after its reply is queued, so the reply (built from history up to the offset it
/// names) and the live publications after it leave no gap and no duplicate. The same code serves one node and a
/// cluster; only the broker differs.
/// </summary>
internal sealed partial class ChannelHub : IChannels
{
    private const int SubscribeAttempts = 3;
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly ChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChannelHub> _logger;
    private readonly IBroker _broker;
    private readonly IPeerRelay? _peers;
    private readonly long _historyTotalMaxBytes;
    private long _historyBytes;
    private long _historyBudgetDrops;

    public ChannelHub(IOptions<ChannelOptions> options, TimeProvider time, ILogger<ChannelHub> logger, IBroker broker,
        IPeerRelay? peers = null)
    {
        _peers = peers;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _broker = broker;
        _historyTotalMaxBytes = _options.HistoryTotalMaxMegabytes * 1024L * 1024L;
        broker.Attach(this);
    }

    public int ChannelCount => _channels.Count;

    /// <summary>The broker this hub follows channels on.</summary>
    internal IBroker Broker => _broker;

    /// <summary>Bytes of recent history held by this node's followed channels.</summary>
    public long HistoryBytes => Interlocked.Read(ref _historyBytes);

    /// <summary>
    /// Adds <paramref name="connection"/> to the channel and queues <paramref name="replyFactory"/>'s reply before any
    /// later publication. The reply carries everything after <paramref name="since"/> when all of it is still kept
    /// (recovered), or nothing (never a partial replay). May wait for the broker.
    /// </summary>
    public async ValueTask<SubscribeOutcome> SubscribeAsync(ClientConnection connection, string channel, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await FollowAsync(channel, cancellationToken).ConfigureAwait(false);
            var last = attempt >= SubscribeAttempts;
            long upTo;
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                if (TrySubscribeLocked(state, connection, since, replyFactory, last, out var outcome)) return outcome;
                upTo = state.Offset;
            }
            var position = since!.Value;
            if (position.Offset > upTo)
            {
                // The client saw publications this node has not delivered yet: catch up, then look again.
                Deliver(state, await _broker.ReadAsync(channel, upTo, long.MaxValue, cancellationToken).ConfigureAwait(false));
                continue;
            }
            var logged = await _broker.ReadAsync(channel, position.Offset, upTo, cancellationToken).ConfigureAwait(false);
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                if (TrySubscribeFromLogLocked(state, connection, position, logged, upTo, replyFactory, last, out var outcome))
                    return outcome;
            }
        }
    }

    /// <summary>
    /// Removes <paramref name="connection"/> from the channel. The task completes once no frame of the channel can reach
    /// it any more (a fan-out that began before the removal has handed it its frame): await it before telling the client.
    /// </summary>
    public Task Unsubscribe(ClientConnection connection, string channel)
    {
        if (!_channels.TryGetValue(channel, out var state)) return Task.CompletedTask;
        lock (state.Lock)
        {
            var index = Array.IndexOf(state.Subscribers, connection);
            if (index < 0) return Task.CompletedTask;
            state.Subscribers = [.. state.Subscribers.AsSpan(0, index), .. state.Subscribers.AsSpan(index + 1)];
            state.LastActivityMs = NowMs();
            return state.Fanout.Barrier();
        }
    }

    /// <summary>Publishes raw JSON <paramref name="data"/> and returns its offset and epoch once the broker stored it.</summary>
    public ValueTask<StreamPosition> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken = default) =>
        _broker.AppendAsync(channel, JsonSerializer.SerializeToUtf8Bytes(data), cancellationToken);

    /// <summary>
    /// Publishes a value serialized with a source-generated type info, without waiting, in order with this node's other
    /// publications (one node: queued to this node's subscribers before this returns, unless another fan-out of the
    /// channel is being sent, whose sender then sends this one next).
    /// </summary>
    public void Publish<T>(string channel, T data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        _broker.Enqueue(channel, JsonSerializer.SerializeToUtf8Bytes(data, info));

    /// <summary>A live signal: this node's subscribers get the frame now, every peer gets it to do the same.</summary>
    public void Signal<T>(string channel, T data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        var w = FrameWriter.Begin();
        w.WriteString(FrameWriter.PushName, "signal");
        w.WriteString("channel", channel);
        w.WritePropertyName("data");
        JsonSerializer.Serialize(w, data, info);
        var frame = FrameWriter.Finish(w);
        DeliverSignal(channel, frame);
        if (_peers is { HasPeers: true } peers) peers.Broadcast(ChannelSignalPeer.MessageKind, ChannelSignalPeer.Message(channel, frame));
    }

    /// <summary>
    /// Queues a signal frame to this node's subscribers of <paramref name="channel"/> (a peer's included). Decided under
    /// the channel's lock, as a publication: a subscriber's reply is queued before it joins the list, so a signal read
    /// from the list without the lock could miss a client that already has its reply (and caused the signal); and it
    /// follows the publications decided before it.
    /// </summary>
    internal void DeliverSignal(string channel, byte[] frame)
    {
        if (!_channels.TryGetValue(channel, out var state)) return;
        bool sender;
        lock (state.Lock) sender = state.Fanout.Enqueue(frame, state.Subscribers);
        if (sender) state.Fanout.Send();
    }

    /// <summary>Completes once every frame queued so far for this node's subscribers was handed to them.</summary>
    internal Task FanoutsSentAsync() => Task.WhenAll(_channels.Values.Select(state => state.Fanout.Barrier()));

    /// <summary>The position this node delivered a channel up to, or null when it does not follow it.</summary>
    public StreamPosition? Position(string channel)
    {
        if (!_channels.TryGetValue(channel, out var state)) return null;
        lock (state.Lock) return new StreamPosition(state.Offset, state.Epoch);
    }

    /// <summary>Whether this node follows the channel (it has or recently had subscribers here).</summary>
    public bool IsFollowed(string channel) => _channels.ContainsKey(channel);

    /// <summary>
    /// Trims this node's recent history by age and stops following channels that had no subscriber here for one sweep
    /// interval (their history stays in the broker). Returns the number of history entries and channels removed.
    /// </summary>
    internal int Sweep()
    {
        var now = NowMs();
        var cutoff = now - _options.HistoryTtlSeconds * 1000L;
        var idleCutoff = now - _options.SweepIntervalSeconds * 1000L;
        var removed = 0;
        foreach (var (name, state) in _channels)
        {
            lock (state.Lock)
            {
                while (state.History.TryPeek(out var oldest) && oldest.TimeMs < cutoff)
                {
                    DequeueHistoryLocked(state);
                    removed++;
                }
                if (state.Subscribers.Length == 0 && state.LastActivityMs < idleCutoff)
                {
                    ClearHistoryLocked(state);
                    state.Evicted = true;
                    _channels.TryRemove(new KeyValuePair<string, ChannelState>(name, state));
                    removed++;
                }
            }
        }
        if (Interlocked.Exchange(ref _historyBudgetDrops, 0) is var drops and > 0)
            Log.HistoryBudgetExceeded(_logger, drops, _options.HistoryTotalMaxMegabytes);
        return removed;
    }

    /// <summary>Subscribes from what this node holds; false when the broker must be read first.</summary>
    private bool TrySubscribeLocked(ChannelState state, ClientConnection connection, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory, bool last, out SubscribeOutcome outcome)
    {
        outcome = default;
        if (since is { } position && position.Epoch == state.Epoch && position.Offset >= 0)
        {
            var behind = state.Offset - position.Offset;
            if (behind < 0 && !last) return false;
            var inLocalHistory = behind > 0 && state.History.TryPeek(out var oldest) && oldest.Offset <= position.Offset + 1;
            if (behind > 0 && behind <= _options.HistorySize && !inLocalHistory && !last) return false;
        }
        var missed = Recover(state, since, out var recovered);
        outcome = AddSubscriberLocked(state, connection, recovered, missed, replyFactory);
        return true;
    }

    /// <summary>
    /// Subscribes with the broker's publications up to <paramref name="upTo"/> and this node's deliveries after it;
    /// false when this node delivered so much meanwhile that its own history no longer joins the two.
    /// </summary>
    private bool TrySubscribeFromLogLocked(ChannelState state, ClientConnection connection, StreamPosition since,
        IReadOnlyList<LoggedPublication> logged, long upTo, Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory,
        bool last, out SubscribeOutcome outcome)
    {
        // Complete means every publication after since, none of them past the history's age.
        var cutoff = NowMs() - _options.HistoryTtlSeconds * 1000L;
        var complete = logged.Count == upTo - since.Offset && (logged.Count == 0 || logged[0].Offset == since.Offset + 1)
            && logged.All(p => p.Time >= cutoff);
        var joined = state.Offset == upTo || (state.History.TryPeek(out var oldest) && oldest.Offset <= upTo + 1);
        if (complete && !joined && !last)
        {
            outcome = default;
            return false;
        }
        if (!complete || !joined)
        {
            outcome = AddSubscriberLocked(state, connection, false, [], replyFactory);
            return true;
        }
        var missed = new List<HistoryEntry>((int)(state.Offset - since.Offset));
        foreach (var publication in logged)
            missed.Add(new HistoryEntry(publication.Offset, publication.Time, BuildFrame(state, publication)));
        foreach (var entry in state.History)
        {
            if (entry.Offset > upTo) missed.Add(entry);
        }
        // All of it fits in one reply, or none of it is sent (never a partial replay).
        var fits = missed.Sum(e => (long)e.Frame.Length) <= _options.HistoryMaxBytes;
        outcome = AddSubscriberLocked(state, connection, fits, fits ? missed : [], replyFactory);
        return true;
    }

    private SubscribeOutcome AddSubscriberLocked(ChannelState state, ClientConnection connection, bool recovered,
        IReadOnlyList<HistoryEntry> missed, Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory)
    {
        var outcome = new SubscribeOutcome(null, recovered, state.Offset, state.Epoch);
        connection.Send(replyFactory(outcome, missed));
        state.Subscribers = [.. state.Subscribers, connection];
        state.LastActivityMs = NowMs();
        return outcome;
    }

    /// <summary>All of what the client missed from this node's recent history, or nothing: never a partial replay.</summary>
    [SuppressMessage("Performance", "CA1859", Justification = "Returns the shared empty array when nothing is missed.")]
    private static IReadOnlyList<HistoryEntry> Recover(ChannelState state, StreamPosition? since, out bool recovered)
    {
        recovered = false;
        if (since is not { } position || position.Epoch != state.Epoch || position.Offset > state.Offset || position.Offset < 0)
            return [];
        if (position.Offset == state.Offset)
        {
            recovered = true;
            return [];
        }
        // History holds a contiguous run of offsets ending at state.Offset.
        if (!state.History.TryPeek(out var oldest) || oldest.Offset > position.Offset + 1) return [];
        recovered = true;
        var missed = new List<HistoryEntry>((int)(state.Offset - position.Offset));
        foreach (var entry in state.History)
        {
            if (entry.Offset > position.Offset) missed.Add(entry);
        }
        return missed;
    }

    /// <summary>The channel's state once its epoch and offset have been read from the broker.</summary>
    private async ValueTask<ChannelState> FollowAsync(string channel, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = GetOrCreate(channel);
            TaskCompletionSource? reader = null;
            Task ready;
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                state.LastActivityMs = NowMs();
                if (state.Ready is null)
                {
                    reader = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    state.Ready = reader.Task;
                }
                ready = state.Ready;
            }
            if (reader is not null) await ReadHeadAsync(state, reader).ConfigureAwait(false);
            await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            return state;
        }
    }

    private async Task ReadHeadAsync(ChannelState state, TaskCompletionSource reader)
    {
        try
        {
            var head = await _broker.HeadAsync(state.Name, CancellationToken.None).ConfigureAwait(false);
            bool woken;
            lock (state.Lock)
            {
                state.Epoch = head.Epoch;
                state.Offset = head.Offset;
                state.Followed = true;
                woken = state.WokenEarly;
                state.WokenEarly = false;
            }
            reader.SetResult();
            if (woken) _broker.RequestDelivery(state);
        }
        catch (Exception ex)
        {
            // The next subscriber tries again.
            lock (state.Lock) state.Ready = null;
            reader.SetException(ex);
        }
    }

    /// <summary>The broker says <paramref name="channel"/> has a publication at <paramref name="offset"/> (any node's).</summary>
    internal void Wake(string channel, long offset)
    {
        if (!_channels.TryGetValue(channel, out var state)) return;
        lock (state.Lock)
        {
            if (!state.Followed)
            {
                state.WokenEarly = true;
                return;
            }
            if (offset <= state.Offset) return;
        }
        _broker.RequestDelivery(state);
    }

    /// <summary>Wake-ups may have been lost (the broker's listener reconnected): read every followed channel again.</summary>
    internal void WakeAll()
    {
        foreach (var state in _channels.Values)
        {
            lock (state.Lock)
            {
                if (!state.Followed)
                {
                    state.WokenEarly = true;
                    continue;
                }
            }
            _broker.RequestDelivery(state);
        }
    }

    /// <summary>
    /// This node stored <paramref name="publication"/>: deliver it at once when it is the next one here, which spares the
    /// broker a read; otherwise the broker reads what comes before it.
    /// </summary>
    internal void DeliverCommitted(string channel, LoggedPublication publication) => QueueCommitted(channel, publication).Send();

    /// <summary>
    /// <see cref="DeliverCommitted"/> for a broker that decides its order under a lock of its own: the frames are queued
    /// in order now, and sent when the broker calls <see cref="PendingFanout.Send"/> after releasing that lock.
    /// </summary>
    internal PendingFanout QueueCommitted(string channel, LoggedPublication publication)
    {
        if (!_channels.TryGetValue(channel, out var state)) return default;
        lock (state.Lock)
        {
            if (!state.Followed)
            {
                state.WokenEarly = true;
                return default;
            }
            if (publication.Offset <= state.Offset) return default;
            if (publication.Offset == state.Offset + 1 && !state.Evicted)
                return DeliverLocked(state, publication) ? new PendingFanout(state.Fanout) : default;
        }
        _broker.RequestDelivery(state);
        return default;
    }

    /// <summary>
    /// Delivers publications read from the broker, oldest first: those already delivered are skipped. A gap means the
    /// broker trimmed publications this node never delivered; its subscribers can't get them in order, so they are
    /// closed to reconnect and recover (or learn they can't).
    /// </summary>
    internal void Deliver(ChannelState state, IReadOnlyList<LoggedPublication> publications)
    {
        ClientConnection[]? lagging = null;
        var sender = false;
        lock (state.Lock)
        {
            if (!state.Followed || state.Evicted) return;
            foreach (var publication in publications)
            {
                if (publication.Offset <= state.Offset) continue;
                if (publication.Offset != state.Offset + 1)
                {
                    Log.HistoryGap(_logger, state.Name, state.Offset, publication.Offset);
                    lagging = state.Subscribers;
                    state.Subscribers = [];
                    ClearHistoryLocked(state);
                }
                sender |= DeliverLocked(state, publication);
            }
        }
        if (sender) state.Fanout.Send();
        if (lagging is null) return;
        foreach (var connection in lagging) connection.Close(CloseCodes.InternalError, "channel history lost on this node");
    }

    /// <summary>Where the broker should read from for <paramref name="state"/>; false when the channel is not followed (any more).</summary>
    internal static bool TryGetDeliveredOffset(ChannelState state, out long offset)
    {
        lock (state.Lock)
        {
            offset = state.Offset;
            return state.Followed && !state.Evicted;
        }
    }

    /// <summary>Takes the publication as the channel's next and queues its frame; true when the caller must send.</summary>
    private bool DeliverLocked(ChannelState state, LoggedPublication publication)
    {
        var frame = BuildFrame(state, publication);
        state.Offset = publication.Offset;
        state.LastActivityMs = NowMs();
        if (publication.Kept) AppendHistoryLocked(state, new HistoryEntry(publication.Offset, publication.Time, frame));
        else ClearHistoryLocked(state); // history must stay a contiguous run of offsets
        return state.Fanout.Enqueue(frame, state.Subscribers);
    }

    /// <summary>
    /// Keeps <paramref name="entry"/> in the channel's recent history, then trims the channel (oldest first) to its count
    /// and byte limits, and, while all channels together hold more than their budget, further (down to nothing).
    /// </summary>
    private void AppendHistoryLocked(ChannelState state, HistoryEntry entry)
    {
        if (_options.HistorySize == 0) return;
        state.History.Enqueue(entry);
        state.HistoryBytes += entry.Frame.Length;
        Interlocked.Add(ref _historyBytes, entry.Frame.Length);
        while (state.History.Count > _options.HistorySize || state.HistoryBytes > _options.HistoryMaxBytes)
            DequeueHistoryLocked(state);
        while (state.History.Count > 0 && Interlocked.Read(ref _historyBytes) > _historyTotalMaxBytes)
        {
            DequeueHistoryLocked(state);
            Interlocked.Increment(ref _historyBudgetDrops);
        }
    }

    private void DequeueHistoryLocked(ChannelState state)
    {
        var oldest = state.History.Dequeue();
        state.HistoryBytes -= oldest.Frame.Length;
        Interlocked.Add(ref _historyBytes, -oldest.Frame.Length);
    }

    private void ClearHistoryLocked(ChannelState state)
    {
        Interlocked.Add(ref _historyBytes, -state.HistoryBytes);
        state.History.Clear();
        state.HistoryBytes = 0;
    }

    private ChannelState GetOrCreate(string channel) =>
        _channels.GetOrAdd(channel, static (name, hub) =>
        {
            Log.ChannelFollowed(hub._logger, name);
            return new ChannelState(name) { LastActivityMs = hub.NowMs() };
        }, this);

    private static byte[] BuildFrame(ChannelState state, LoggedPublication publication)
    {
        var w = FrameWriter.Begin();
        w.WriteString(FrameWriter.PushName, "pub");
        w.WriteString("channel", state.Name);
        w.WriteNumber("offset", publication.Offset);
        w.WriteString("epoch", state.Epoch);
        w.WriteNumber("time", publication.Time);
        w.WritePropertyName("data");
        w.WriteRawValue(publication.Data, skipInputValidation: true);
        return FrameWriter.Finish(w);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static partial class Log
    {
        [LoggerMessage(1301, LogLevel.Trace, "Channel {Channel} followed on this node.")]
        public static partial void ChannelFollowed(ILogger logger, string channel);

        [LoggerMessage(1302, LogLevel.Warning, "Channel {Channel} lost publications {After} to {Next} from the broker before this node delivered them; its subscribers here are closed to recover.")]
        public static partial void HistoryGap(ILogger logger, string channel, long after, long next);

        [LoggerMessage(1303, LogLevel.Warning, "Channel history reached its budget of {BudgetMegabytes} MB (Channels:HistoryTotalMaxMegabytes): {Dropped} publications since the last sweep were delivered live but not kept for recovery.")]
        public static partial void HistoryBudgetExceeded(ILogger logger, long dropped, int budgetMegabytes);
    }
}

/// <summary>Frames a broker queued under its own lock: <see cref="Send"/> them once that lock is released.</summary>
internal readonly struct PendingFanout(FanoutSequencer? sequencer)
{
    public void Send() => sequencer?.Send();
}

/// <summary>The outcome of a subscription: the reply has been queued already when <see cref="Error"/> is null.</summary>
internal readonly record struct SubscribeOutcome(string? Error, bool Recovered, long Offset, string Epoch);
