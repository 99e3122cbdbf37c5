using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

public abstract partial class WebinarStoreContractTests
{
    /// <summary>
    /// The statistics read groups rows by viewer from the raw key bytes (SQLite) or strings (PostgreSQL): keys of equal
    /// length that differ only in their last byte, keys longer than the reader's first buffer, and non-ASCII user ids
    /// must each stay their own viewer with their own sessions.
    /// </summary>
    [Fact]
    public async Task StatsRead_ViewerKeysOfEveryShape_StayApartInViewerOrder()
    {
        var w = await CreateWebinarAsync();
        var longId = new string('x', 150);
        Viewer[] viewers =
            [Viewer.User("user-10"), Viewer.User("user-11"), Viewer.User(longId), Viewer.User(longId + "y"),
             Viewer.User("김기사"), Viewer.User("김기자"), Guest];
        At(0);
        for (var i = 0; i < viewers.Length; i++)
        {
            // Viewer i has i + 1 sessions, one after another.
            for (var n = 0; n <= i; n++) await TrackAsync(w, viewers[i], $"key_{i}_{n}_abcdef");
        }
        At(5);
        for (var i = 0; i < viewers.Length; i++)
        {
            for (var n = 0; n <= i; n++) await ExitAsync(w, viewers[i], $"key_{i}_{n}_abcdef");
        }

        using (var rows = await Store.ReadStatsSessionsAsync(w.Id).WaitAsync(Timeout))
        {
            Assert.Equal(viewers.Length * (viewers.Length + 1) / 2, rows.Count);
            // Each viewer's rows are adjacent (the database's collation decides the order between viewers).
            var runs = Enumerable.Range(0, rows.Viewers).Select(rows.ViewerKey).ToList();
            Assert.Equal(viewers.Select(v => v.Key).Order(StringComparer.Ordinal), runs.Order(StringComparer.Ordinal));
            // Viewer i's i + 1 sessions point at viewer i's key.
            var sessionsPerKey = rows.Span.ToArray().GroupBy(r => rows.ViewerKey(r.Viewer)).ToDictionary(g => g.Key, g => g.Count());
            for (var i = 0; i < viewers.Length; i++) Assert.Equal(i + 1, sessionsPerKey[viewers[i].Key]);
        }

        var stats = (await StatsAsync(w))!;
        Assert.Equal(viewers.Length, stats.Totals.UniqueViewers);
        for (var i = 0; i < viewers.Length; i++)
        {
            var viewer = Assert.Single(stats.Totals.Viewers, v => v.ViewerKey == viewers[i].Key);
            Assert.Equal((i + 1, viewers[i].UserId, 300.0), (viewer.Sessions, viewer.UserId, viewer.WatchedSeconds));
        }
    }
}
