using System.Collections.Concurrent;

namespace Heartline.Webinar;

/// <summary>
/// Statistics of webinars that can no longer change: past their collection window with no session open (pings then
/// change nothing, track is refused, every session is closed). A dashboard that keeps showing a finished webinar then
/// reads 100,000 sessions once, not on every refresh. An entry is keyed by the webinar's <c>updated_at</c>, so an
/// admin's change recomputes at once, and lives 10 minutes, so the retention purge shows within that time. At most
/// 32 webinars are kept (the one expiring first makes room).
/// </summary>
internal sealed class FinishedStatsCache(TimeProvider time)
{
    internal const int Capacity = 32;

    internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(long WebinarUpdatedAt, DateTimeOffset Until, WebinarStatistics Statistics);

    public WebinarStatistics? Get(WebinarRecord webinar)
    {
        if (!_entries.TryGetValue(webinar.Id, out var entry)) return null;
        if (entry.WebinarUpdatedAt == webinar.UpdatedAt && time.GetUtcNow() < entry.Until) return entry.Statistics;
        _entries.TryRemove(KeyValuePair.Create(webinar.Id, entry));
        return null;
    }

    public void Set(WebinarRecord webinar, WebinarStatistics statistics)
    {
        while (_entries.Count >= Capacity && !_entries.ContainsKey(webinar.Id))
        {
            var first = _entries.MinBy(e => e.Value.Until);
            _entries.TryRemove(first);
        }
        _entries[webinar.Id] = new Entry(webinar.UpdatedAt, time.GetUtcNow() + Lifetime, statistics);
    }

    public void Forget(string webinarId) => _entries.TryRemove(webinarId, out _);
}
