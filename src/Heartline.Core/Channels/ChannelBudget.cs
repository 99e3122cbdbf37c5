using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>
/// Bounds the channels that clients bring to life per scope: the namespace and the first path segment
/// (<c>office:r1_o1/topic-1</c> and <c>office:r1_o1/topic-2</c> share <c>office:r1_o1</c>). A client's publish or
/// subscribe to a channel its scope already uses always passes; a new one passes while the scope uses fewer than
/// <c>Channels:MaxChannelsPerScope</c> channels, counting those used within the history age
/// (<c>Channels:HistoryTtlSeconds</c>), whose history they may still hold. Server-side publications (a module's) are
/// not counted. Each node counts what its own clients use.
/// </summary>
internal sealed class ChannelBudget(IOptions<ChannelOptions> options, TimeProvider time)
{
    // One lock per scope: a publish on one office never waits for another office's.
    private readonly ConcurrentDictionary<string, Scope> _scopes = new(StringComparer.Ordinal);

    private sealed class Scope
    {
        public readonly Lock Lock = new();
        public readonly Dictionary<string, long> Channels = new(StringComparer.Ordinal);
        public bool Removed;
    }

    /// <summary>The scope a channel counts against.</summary>
    internal static string ScopeOf(string channel)
    {
        var colon = channel.IndexOf(':', StringComparison.Ordinal);
        var slash = channel.IndexOf('/', colon + 1);
        return slash < 0 ? channel : channel[..slash];
    }

    /// <summary>Records a client's use of <paramref name="channel"/>; false when it is new and its scope is full.</summary>
    public bool TryUse(string channel)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var limit = options.Value.MaxChannelsPerScope;
        var key = ScopeOf(channel);
        while (true)
        {
            var scope = _scopes.GetOrAdd(key, static _ => new Scope());
            lock (scope.Lock)
            {
                // The sweeper dropped it as empty meanwhile: take the one that replaces it.
                if (scope.Removed) continue;
                var channels = scope.Channels;
                if (channels.ContainsKey(channel) || channels.Count < limit)
                {
                    channels[channel] = now;
                    return true;
                }
                // Full: forget what aged out, then look again (amortized; the sweeper also prunes every scope).
                Prune(channels, now - TtlMs);
                if (channels.Count >= limit) return false;
                channels[channel] = now;
                return true;
            }
        }
    }

    /// <summary>Forgets channels unused for the history age, and scopes left empty; returns how many went.</summary>
    public int Sweep()
    {
        var cutoff = time.GetUtcNow().ToUnixTimeMilliseconds() - TtlMs;
        var removed = 0;
        foreach (var (key, scope) in _scopes)
        {
            lock (scope.Lock)
            {
                removed += Prune(scope.Channels, cutoff);
                if (scope.Channels.Count > 0) continue;
                scope.Removed = true;
                _scopes.TryRemove(KeyValuePair.Create(key, scope));
            }
        }
        return removed;
    }

    private long TtlMs => options.Value.HistoryTtlSeconds * 1000L;

    private static int Prune(Dictionary<string, long> channels, long cutoff)
    {
        var removed = 0;
        foreach (var (channel, usedAt) in channels)
        {
            if (usedAt >= cutoff) continue;
            channels.Remove(channel);
            removed++;
        }
        return removed;
    }
}
