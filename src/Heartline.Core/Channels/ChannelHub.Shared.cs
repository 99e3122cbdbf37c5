using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Core.Channels;

/// <summary>
/// The hub over a shared <see cref="IPublicationLog"/>: a channel is followed here once someone subscribes; the log
/// delivers its publications in offset order and the hub fans them out. Every change of a channel's offset happens
/// under its lock, and a subscription is added under the same lock right after its reply is queued, so the reply
/// (built from the log up to the offset it names) and the live publications after it leave no gap and no duplicate.
/// </summary>
internal sealed partial class ChannelHub
{
    private const int SubscribeAttempts = 3;

    private async ValueTask<SubscribeOutcome> SubscribeSharedAsync(ClientConnection connection, string channel, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory, CancellationToken cancellationToken)
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
                Deliver(state, await _log!.ReadAsync(channel, upTo, long.MaxValue, cancellationToken).ConfigureAwait(false));
                continue;
            }
            var logged = await _log!.ReadAsync(channel, position.Offset, upTo, cancellationToken).ConfigureAwait(false);
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                if (TrySubscribeFromLogLocked(state, connection, position, logged, upTo, replyFactory, last, out var outcome))
                    return outcome;
            }
        }
    }

    /// <summary>Subscribes from what this node holds; false when the log must be read first.</summary>
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
    /// Subscribes with the log's publications up to <paramref name="upTo"/> and this node's deliveries after it; false
    /// when this node delivered so much meanwhile that its own history no longer joins the two.
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

    /// <summary>The channel's state once its epoch and offset have been read from the log.</summary>
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
            var head = await _log!.HeadAsync(state.Name, CancellationToken.None).ConfigureAwait(false);
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
            if (woken) _log.RequestDelivery(state);
        }
        catch (Exception ex)
        {
            // The next subscriber tries again.
            lock (state.Lock) state.Ready = null;
            reader.SetException(ex);
        }
    }

    /// <summary>The log says <paramref name="channel"/> has a publication at <paramref name="offset"/> (any node's).</summary>
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
        _log!.RequestDelivery(state);
    }

    /// <summary>Wake-ups may have been lost (the log's listener reconnected): read every followed channel again.</summary>
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
            _log!.RequestDelivery(state);
        }
    }

    /// <summary>
    /// This node committed <paramref name="publication"/>: deliver it at once when it is the next one here, which
    /// spares the log a read; otherwise the log reads what comes before it.
    /// </summary>
    internal void DeliverCommitted(string channel, LoggedPublication publication)
    {
        if (!_channels.TryGetValue(channel, out var state)) return;
        lock (state.Lock)
        {
            if (!state.Followed)
            {
                state.WokenEarly = true;
                return;
            }
            if (publication.Offset <= state.Offset) return;
            if (publication.Offset == state.Offset + 1 && !state.Evicted)
            {
                DeliverLocked(state, publication);
                return;
            }
        }
        _log!.RequestDelivery(state);
    }

    /// <summary>
    /// Delivers publications read from the log, oldest first: those already delivered are skipped. A gap means the log
    /// trimmed publications this node never delivered; its subscribers can't get them in order, so they are closed
    /// to reconnect and recover (or learn they can't).
    /// </summary>
    internal void Deliver(ChannelState state, IReadOnlyList<LoggedPublication> publications)
    {
        ClientConnection[]? lagging = null;
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
                DeliverLocked(state, publication);
            }
        }
        if (lagging is null) return;
        foreach (var connection in lagging) connection.Close(CloseCodes.InternalError, "channel history lost on this node");
    }

    /// <summary>Where the log should read from for <paramref name="state"/>; false when the channel is not followed (any more).</summary>
    internal static bool TryGetDeliveredOffset(ChannelState state, out long offset)
    {
        lock (state.Lock)
        {
            offset = state.Offset;
            return state.Followed && !state.Evicted;
        }
    }

    private void DeliverLocked(ChannelState state, LoggedPublication publication)
    {
        var frame = BuildFrame(state, publication);
        state.Offset = publication.Offset;
        state.LastActivityMs = NowMs();
        AppendHistoryLocked(state, new HistoryEntry(publication.Offset, publication.Time, frame));
        foreach (var subscriber in state.Subscribers) subscriber.Send(frame);
    }

    private static byte[] BuildFrame(ChannelState state, LoggedPublication publication) =>
        BuildFrame(state.Name, publication.Offset, state.Epoch, publication.Time,
            w => w.WriteRawValue(publication.Data, skipInputValidation: true));

    private static partial class Log
    {
        [LoggerMessage(1302, LogLevel.Warning, "Channel {Channel} lost publications {After} to {Next} from the shared log before this node delivered them; its subscribers here are closed to recover.")]
        public static partial void HistoryGap(ILogger logger, string channel, long after, long next);
    }
}
