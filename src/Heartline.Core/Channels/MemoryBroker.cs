using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>
/// The broker of a single node: each channel's offsets, epoch and history in process. A publication is numbered and
/// kept under its channel's lock and handed to the hub at once, still under that lock, so publications reach
/// subscribers in offset order; the hub's sending to them happens after the lock is released. History is bounded like the hub's (count, bytes per channel, age, and a total budget);
/// a channel keeps its epoch while it has history or the hub follows it, so a client resubscribing can recover.
/// </summary>
internal sealed partial class MemoryBroker(IOptions<ChannelOptions> options, TimeProvider time, ILogger<MemoryBroker> logger) : IBroker
{
    private readonly ConcurrentDictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger;
    private readonly ChannelOptions _options = options.Value;
    private readonly long _totalMaxBytes = options.Value.HistoryTotalMaxMegabytes * 1024L * 1024L;
    private ChannelHub? _hub;
    private long _historyBytes;

    public void Attach(ChannelHub hub) => _hub = hub;

    /// <summary>Bytes of history kept by every channel.</summary>
    public long HistoryBytes => Interlocked.Read(ref _historyBytes);

    public int ChannelCount => _streams.Count;

    public void Enqueue(string channel, byte[] data) => Append(channel, data);

    public ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Append(channel, data));

    public ValueTask<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stream = GetOrCreate(channel);
            lock (stream.Lock)
            {
                if (stream.Evicted) continue;
                stream.LastActivityMs = NowMs();
                return ValueTask.FromResult(new StreamPosition(stream.Offset, stream.Epoch));
            }
        }
    }

    public ValueTask<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<LoggedPublication>>(Read(channel, after, upTo));

    /// <summary>In process nothing is ever waiting to be read: the hub missed nothing, but it asks after a wake-up race.</summary>
    public void RequestDelivery(ChannelState state)
    {
        if (!ChannelHub.TryGetDeliveredOffset(state, out var after)) return;
        var publications = Read(state.Name, after, long.MaxValue);
        if (publications.Count > 0) _hub?.Deliver(state, publications);
    }

    /// <summary>Publications are handed to subscribers as they are appended: nothing is ever pending.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int> TrimAsync(CancellationToken cancellationToken) => Task.FromResult(Trim());

    /// <summary>Drops history past its age, then channels with no history that nobody follows and that were idle for an age.</summary>
    internal int Trim()
    {
        var now = NowMs();
        var cutoff = now - _options.HistoryTtlSeconds * 1000L;
        var removed = 0;
        foreach (var (name, stream) in _streams)
        {
            lock (stream.Lock)
            {
                while (stream.History.TryPeek(out var oldest) && oldest.Time < cutoff)
                {
                    Dequeue(stream);
                    removed++;
                }
                // A channel the hub follows keeps its epoch, or its subscribers here would never see the next publication.
                if (stream.History.Count == 0 && stream.LastActivityMs < cutoff && _hub?.IsFollowed(name) != true)
                {
                    stream.Evicted = true;
                    _streams.TryRemove(new KeyValuePair<string, Stream>(name, stream));
                }
            }
        }
        return removed;
    }

    private StreamPosition Append(string channel, byte[] data)
    {
        while (true)
        {
            var stream = GetOrCreate(channel);
            PendingFanout fanout = default;
            StreamPosition position;
            lock (stream.Lock)
            {
                if (stream.Evicted) continue;
                var now = NowMs();
                var publication = new LoggedPublication(stream.Offset + 1, now, data);
                stream.Offset = publication.Offset;
                stream.LastActivityMs = now;
                publication = publication with { Kept = Keep(stream, publication) };
                // Queued under the stream's lock: the hub gets this channel's publications in offset order. Sent after it.
                if (_hub is { } hub) fanout = hub.QueueCommitted(channel, publication);
                position = new StreamPosition(publication.Offset, stream.Epoch);
            }
            fanout.Send();
            return position;
        }
    }

    private List<LoggedPublication> Read(string channel, long after, long upTo)
    {
        var result = new List<LoggedPublication>();
        if (!_streams.TryGetValue(channel, out var stream)) return result;
        lock (stream.Lock)
        {
            foreach (var publication in stream.History)
            {
                if (publication.Offset > after && publication.Offset <= upTo) result.Add(publication);
            }
        }
        return result;
    }

    /// <summary>Keeps the publication in the channel's history; false when the history budget left no room for it.</summary>
    private bool Keep(Stream stream, LoggedPublication publication)
    {
        if (_options.HistorySize == 0) return false;
        stream.History.Enqueue(publication);
        stream.HistoryBytes += publication.Data.Length;
        Interlocked.Add(ref _historyBytes, publication.Data.Length);
        while (stream.History.Count > _options.HistorySize || stream.HistoryBytes > _options.HistoryMaxBytes) Dequeue(stream);
        // Beyond the total budget this channel keeps nothing more until older history ages out elsewhere.
        while (stream.History.Count > 0 && Interlocked.Read(ref _historyBytes) > _totalMaxBytes) Dequeue(stream);
        return stream.History.Count > 0;
    }

    private void Dequeue(Stream stream)
    {
        var oldest = stream.History.Dequeue();
        stream.HistoryBytes -= oldest.Data.Length;
        Interlocked.Add(ref _historyBytes, -oldest.Data.Length);
    }

    private Stream GetOrCreate(string channel) =>
        _streams.GetOrAdd(channel, static (name, broker) =>
        {
            Log.ChannelCreated(broker._logger, name);
            return new Stream(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))) { LastActivityMs = broker.NowMs() };
        }, this);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>One channel: its epoch (fixed for the stream's life), last offset and history.</summary>
    private sealed class Stream(string epoch)
    {
        public Lock Lock { get; } = new();
        public string Epoch { get; } = epoch;
        public long Offset { get; set; }
        public Queue<LoggedPublication> History { get; } = new();
        public long HistoryBytes { get; set; }
        public long LastActivityMs { get; set; }
        public bool Evicted { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1304, LogLevel.Trace, "Channel {Channel} created.")]
        public static partial void ChannelCreated(ILogger logger, string channel);
    }
}
