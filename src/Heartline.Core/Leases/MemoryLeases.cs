using System.Collections.Concurrent;
using Heartline.Core.Channels;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Leases;

/// <summary>
/// Leases of a single node: one lock per key. A decision's publications are delivered under the lease's lock, so
/// every subscriber sees a lease's changes in epoch order; its writes are queued to the background writer under the
/// same lock, so they reach the disk in that order too. No other node exists, so nobody is watching.
/// </summary>
internal sealed class MemoryLeases(IBroker broker, BackgroundWriter writer, IOptions<PresenceOptions> presence, TimeProvider time) : ILeases
{
    private readonly ConcurrentDictionary<string, Entry> _leases = new(StringComparer.Ordinal);

    public ValueTask<T> UpdateAsync<T>(string key, Func<LeaseUpdate, T> decide, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var entry = _leases.GetOrAdd(key, static _ => new Entry());
            lock (entry.Lock)
            {
                // Forgotten by a decision that held the lock before this one: take the key's new entry.
                if (!entry.Forgotten) return Decide(key, entry, decide);
            }
        }
    }

    private ValueTask<T> Decide<T>(string key, Entry entry, Func<LeaseUpdate, T> decide)
    {
        var update = new LeaseUpdate(new LeaseState(key, entry.Epoch, entry.Holder, HolderNodeAlive: true),
            time.GetUtcNow().ToUnixTimeMilliseconds(), presence.Value.NodeId);
        var result = decide(update);
        if (update.Granted is { } granted)
        {
            entry.Epoch = update.NextEpoch;
            entry.Holder = granted;
        }
        else if (update.Released)
        {
            entry.Holder = null;
            // Strictly older than the clock: a later grant's epoch (at least the clock) is still larger.
            if (update.Forgotten && entry.Epoch < update.Now)
            {
                entry.Forgotten = true;
                _leases.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
        // Publications first: the fan-out to listeners is what people wait for, and a writer woken before it would
        // compete with it for the CPU; the writes stay in order behind the decision all the same.
        foreach (var (channel, data) in update.Publications) broker.Enqueue(channel, data);
        foreach (var write in update.Writes) writer.Enqueue(write);
        return ValueTask.FromResult(result);
    }

    public ValueTask<LeaseState> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!_leases.TryGetValue(key, out var entry)) return ValueTask.FromResult(new LeaseState(key, 0, null, true));
        lock (entry.Lock) return ValueTask.FromResult(new LeaseState(key, entry.Epoch, entry.Holder, true));
    }

    public ValueTask<IReadOnlyList<LeaseState>> ListHeldAsync(string keyPrefix, CancellationToken cancellationToken = default)
    {
        var held = new List<LeaseState>();
        foreach (var (key, entry) in _leases)
        {
            if (!key.StartsWith(keyPrefix, StringComparison.Ordinal)) continue;
            lock (entry.Lock)
            {
                if (entry.Holder is { } holder)
                    held.Add(new LeaseState(key, entry.Epoch, holder, true) { Abandoned = holder.Until < time.GetUtcNow().ToUnixTimeMilliseconds() });
            }
        }
        held.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ValueTask.FromResult<IReadOnlyList<LeaseState>>(held);
    }

    public ValueTask<IReadOnlyList<string>> RenewAsync(IReadOnlyList<LeaseRenewal> renewals, CancellationToken cancellationToken = default)
    {
        List<string>? lost = null;
        foreach (var renewal in renewals)
        {
            if (_leases.TryGetValue(renewal.Key, out var entry))
            {
                lock (entry.Lock)
                {
                    if (entry.Holder is { } holder && entry.Epoch == renewal.Epoch)
                    {
                        entry.Holder = holder with { Until = renewal.Until };
                        continue;
                    }
                }
            }
            (lost ??= []).Add(renewal.Key);
        }
        return ValueTask.FromResult<IReadOnlyList<string>>(lost ?? []);
    }

    public void Watch(string keyPrefix, ILeaseWatcher watcher)
    {
    }

    private sealed class Entry
    {
        public Lock Lock { get; } = new();
        public long Epoch { get; set; }
        public LeaseHolder? Holder { get; set; }
        public bool Forgotten { get; set; }
    }
}
