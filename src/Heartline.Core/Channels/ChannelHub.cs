using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Where a client left a channel: the offset and epoch of the last publication it processed.</summary>
internal readonly record struct StreamPosition(long Offset, string Epoch);

/// <summary>The outcome of a subscription: the reply has been queued already when <see cref="Error"/> is null.</summary>
internal readonly record struct SubscribeOutcome(string? Error, bool Recovered, long Offset, string Epoch);

/// <summary>
/// Channels: subscribe with recovery, publish with ordered fan-out, bounded history. A publication is serialized once
/// and the same bytes are queued to every subscriber and kept in history. On a single node the hub numbers
/// publications itself; with an <see cref="IPublicationLog"/> (a cluster) the log numbers them and the hub fans out
/// what it delivers (ChannelHub.Shared.cs).
/// </summary>
internal sealed partial class ChannelHub
{
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly ChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChannelHub> _logger;
    private readonly IPublicationLog? _log;
    private readonly long _historyTotalMaxBytes;
    private long _historyBytes;
    private long _historyBudgetDrops;

    public ChannelHub(IOptions<ChannelOptions> options, TimeProvider time, ILogger<ChannelHub> logger, IPublicationLog? log = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _log = log;
        _historyTotalMaxBytes = _options.HistoryTotalMaxMegabytes * 1024L * 1024L;
        log?.Attach(this);
    }

    public int ChannelCount => _channels.Count;

    /// <summary>Bytes of history held by all channels.</summary>
    public long HistoryBytes => Interlocked.Read(ref _historyBytes);

    /// <summary>
    /// Subscribes (see <see cref="Subscribe"/>); with a shared log the history is read from it, so this may wait for it.
    /// </summary>
    public ValueTask<SubscribeOutcome> SubscribeAsync(ClientConnection connection, string channel, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory, CancellationToken cancellationToken = default) =>
        _log is null
            ? ValueTask.FromResult(Subscribe(connection, channel, since, replyFactory))
            : SubscribeSharedAsync(connection, channel, since, replyFactory, cancellationToken);

    /// <summary>
    /// Adds <paramref name="connection"/> to the channel and queues <paramref name="replyFactory"/>'s reply before
    /// any later publication, so the client sees no gap and no duplicate between the reply and live pushes.
    /// In process only: with a shared log use <see cref="SubscribeAsync"/>.
    /// </summary>
    public SubscribeOutcome Subscribe(ClientConnection connection, string channel, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory)
    {
        while (true)
        {
            var state = GetOrCreate(channel);
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                var missed = Recover(state, since, out var recovered);
                var outcome = new SubscribeOutcome(null, recovered, state.Offset, state.Epoch);
                connection.Send(replyFactory(outcome, missed));
                state.Subscribers = [.. state.Subscribers, connection];
                state.LastActivityMs = NowMs();
                return outcome;
            }
        }
    }

    public void Unsubscribe(ClientConnection connection, string channel)
    {
        if (!_channels.TryGetValue(channel, out var state)) return;
        lock (state.Lock)
        {
            var index = Array.IndexOf(state.Subscribers, connection);
            if (index < 0) return;
            state.Subscribers = [.. state.Subscribers.AsSpan(0, index), .. state.Subscribers.AsSpan(index + 1)];
            state.LastActivityMs = NowMs();
        }
    }

    /// <summary>
    /// Publishes raw JSON <paramref name="data"/> and returns its offset and epoch: at once in process, once durable with
    /// a shared log. Ordered with <see cref="Publish{T}"/> calls of this node.
    /// </summary>
    public ValueTask<StreamPosition> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken = default) =>
        _log is null
            ? ValueTask.FromResult(PublishLocal(channel, w => data.WriteTo(w)))
            : _log.AppendAsync(channel, JsonSerializer.SerializeToUtf8Bytes(data), cancellationToken);

    /// <summary>
    /// Publishes a value serialized with a source-generated type info, without waiting: in process it is delivered
    /// before this returns; with a shared log it is queued, in order with this node's other publications.
    /// </summary>
    public void Publish<T>(string channel, T data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        if (_log is null) PublishLocal(channel, w => JsonSerializer.Serialize(w, data, info));
        else _log.Enqueue(channel, JsonSerializer.SerializeToUtf8Bytes(data, info));
    }

    private StreamPosition PublishLocal(string channel, Action<Utf8JsonWriter> writeData)
    {
        while (true)
        {
            var state = GetOrCreate(channel);
            lock (state.Lock)
            {
                if (state.Evicted) continue;
                var now = NowMs();
                var offset = state.Offset + 1;
                var frame = BuildFrame(channel, offset, state.Epoch, now, writeData);
                state.Offset = offset;
                state.LastActivityMs = now;
                AppendHistoryLocked(state, new HistoryEntry(offset, now, frame));
                foreach (var subscriber in state.Subscribers) subscriber.Send(frame);
                return new StreamPosition(offset, state.Epoch);
            }
        }
    }

    /// <summary>The channel's current position, or null when it does not exist.</summary>
    public StreamPosition? Position(string channel)
    {
        if (!_channels.TryGetValue(channel, out var state)) return null;
        lock (state.Lock) return new StreamPosition(state.Offset, state.Epoch);
    }

    /// <summary>
    /// Trims history past its age and evicts channels with neither subscribers nor history that were idle for a TTL.
    /// Returns the number of history entries and channels removed.
    /// </summary>
    internal int Sweep()
    {
        var now = NowMs();
        var cutoff = now - _options.HistoryTtlSeconds * 1000L;
        // With a shared log the history stays in the log: a channel nobody here subscribes to stops being followed
        // after one sweep interval, so wake-ups for it cost nothing.
        var idleCutoff = _log is null ? cutoff : now - _options.SweepIntervalSeconds * 1000L;
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
                if (state.Subscribers.Length == 0 && (state.History.Count == 0 || _log is not null) && state.LastActivityMs < idleCutoff)
                {
                    ClearHistoryLocked(state);
                    state.Evicted = true;
                    _channels.TryRemove(new KeyValuePair<string, ChannelState>(name, state));
                    removed++;
                }
            }
        }
        if (Interlocked.Exchange(ref _historyBudgetDrops, 0) is var drops and > 0)
            LogHistoryBudgetExceeded(drops, _options.HistoryTotalMaxMegabytes);
        return removed;
    }

    /// <summary>
    /// Keeps <paramref name="entry"/> in the channel's history, then trims the channel (oldest first) to its count and
    /// byte limits, and, while all channels together hold more than their budget, further (down to nothing).
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

    /// <summary>All of what the client missed, or nothing: never a partial replay.</summary>
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

    private ChannelState GetOrCreate(string channel) =>
        _channels.GetOrAdd(channel, static (name, hub) =>
        {
            hub.LogChannelCreated(name);
            return new ChannelState(name, NewEpoch()) { LastActivityMs = hub.NowMs() };
        }, this);

    private static byte[] BuildFrame(string channel, long offset, string epoch, long time, Action<Utf8JsonWriter> writeData)
    {
        var w = FrameWriter.Begin();
        w.WriteString(FrameWriter.PushName, "pub");
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", epoch);
        w.WriteNumber("time", time);
        w.WritePropertyName("data");
        writeData(w);
        return FrameWriter.Finish(w);
    }

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void LogChannelCreated(string name) => Log.ChannelCreated(_logger, name);

    private void LogHistoryBudgetExceeded(long dropped, int budgetMegabytes) =>
        Log.HistoryBudgetExceeded(_logger, dropped, budgetMegabytes);

    private static partial class Log
    {
        [LoggerMessage(1301, LogLevel.Trace, "Channel {Channel} created.")]
        public static partial void ChannelCreated(ILogger logger, string channel);

        [LoggerMessage(1303, LogLevel.Warning, "Channel history reached its budget of {BudgetMegabytes} MB (Channels:HistoryTotalMaxMegabytes): {Dropped} publications since the last sweep were delivered live but not kept for recovery.")]
        public static partial void HistoryBudgetExceeded(ILogger logger, long dropped, int budgetMegabytes);
    }
}
