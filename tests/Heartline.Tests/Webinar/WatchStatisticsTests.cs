using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

/// <summary>Union of a viewer's sessions ∩ the content window, totals, completion and concurrency.</summary>
public sealed class WatchStatisticsTests
{
    private const long Start = 1_000_000_020_000 - 1_000_000_020_000 % 60_000;

    private static readonly WebinarRecord Hour = new()
    {
        Id = "w1", Title = "t", WebinarStartTime = Start, WebinarScheduledEndTime = Start + 3_600_000, PostWindowMinutes = 30,
    };

    private static long Min(double minutes) => Start + (long)(minutes * 60_000);

    private sealed record Session(string Viewer, long From, long To, bool Open, double Visible);

    private static Session S(string viewer, double fromMinute, double toMinute, bool open = false, double visible = 0) =>
        new(viewer, Min(fromMinute), Min(toMinute), open, visible);

    private static WatchTotals Compute(params Session[] sessions) => Compute(Min(200), sessions);

    private static WatchTotals Compute(long now, params Session[] sessions)
    {
        using var rows = new StatsRows();
        foreach (var s in sessions) rows.Add(s.Viewer, s.From, s.To, s.Open, s.Visible);
        return WatchStatistics.Compute(Hour, rows, now, completionPercent: 90);
    }

    [Fact]
    public void Watched_OneSessionInsideTheWindow_IsItsLength()
    {
        var viewer = Assert.Single(Compute(S("u:a", 10, 40)).Viewers);

        Assert.Equal(30 * 60.0, viewer.WatchedSeconds);
    }

    [Fact]
    public void Watched_SessionsOutsideTheWindow_AreClippedToIt()
    {
        var viewer = Assert.Single(Compute(S("u:a", -15, 5), S("u:a", 50, 80)).Viewers);

        Assert.Equal((5 + 10) * 60.0, viewer.WatchedSeconds);
        Assert.Equal(2, viewer.Sessions);
    }

    [Fact]
    public void Watched_OverlappingTabs_CountOnce()
    {
        // Tab A 0–40, tab B 20–50: the seed's sum would say 70 minutes (capped to 60); the union is 50.
        var viewer = Assert.Single(Compute(S("u:a", 0, 40), S("u:a", 20, 50)).Viewers);

        Assert.Equal(50 * 60.0, viewer.WatchedSeconds);
    }

    [Fact]
    public void Watched_NestedAndTouchingSessions_MergeIntoOneInterval()
    {
        var viewer = Assert.Single(Compute(S("u:a", 0, 30), S("u:a", 5, 10), S("u:a", 30, 45)).Viewers);

        Assert.Equal(45 * 60.0, viewer.WatchedSeconds);
    }

    [Fact]
    public void Watched_NeverExceedsTheContentLength()
    {
        var viewer = Assert.Single(Compute(S("u:a", -30, 100), S("u:a", -10, 90), S("u:a", 0, 60)).Viewers);

        Assert.Equal(3600.0, viewer.WatchedSeconds);
        Assert.True(viewer.Completed);
    }

    [Fact]
    public void Viewers_GuestsAreSeparateViewers_NotOneNullUser()
    {
        var totals = Compute(S("g:1111", 0, 10), S("g:2222", 0, 20), S("u:a", 0, 30));

        Assert.Equal(3, totals.UniqueViewers);
        Assert.Equal(new[] { 600.0, 1200.0, 1800.0 }, totals.Viewers.Select(v => v.WatchedSeconds));
        Assert.Equal(1200.0, totals.AverageWatchedSeconds);
    }

    [Fact]
    public void Visible_SumsSessionsButNeverExceedsWatched()
    {
        var totals = Compute(S("u:a", 0, 10, visible: 500), S("u:a", 0, 10, visible: 500), S("u:b", 0, 10, visible: 120));

        Assert.Equal(new[] { 600.0, 120.0 }, totals.Viewers.Select(v => v.VisibleSeconds));
    }

    [Fact]
    public void FirstJoinAndLastLeave_OpenSessionLeavesNoLastLeave()
    {
        var totals = Compute(S("u:a", -5, 10), S("u:a", 20, 30), S("u:b", 0, 10), S("u:b", 15, 25, open: true));

        Assert.Equal((Min(-5), (long?)Min(30)), (totals.Viewers[0].FirstJoinAt, totals.Viewers[0].LastLeaveAt));
        Assert.Null(totals.Viewers[1].LastLeaveAt);
    }

    [Fact]
    public void Completion_IsTheShareOfViewersWhoWatchedNinetyPercent()
    {
        var totals = Compute(S("u:a", 0, 54), S("u:b", 0, 53.9), S("u:c", 6, 60), S("u:d", -10, -5));

        Assert.Equal(2, totals.CompletedViewers);
        Assert.Equal(0.5, totals.CompletionRate);
    }

    [Fact]
    public void Concurrency_PeakAndPerMinuteSeries()
    {
        // a: 0–10 and (second tab) 5–12; b: 5–20; c: 9.5–10.5; d: before the start only.
        var totals = Compute(S("u:a", 0, 10), S("u:a", 5, 12), S("u:b", 5, 20), S("u:c", 9.5, 10.5), S("u:d", -10, -1));

        Assert.Equal(3, totals.PeakConcurrentViewers);
        Assert.Equal(Min(9.5), totals.PeakAt);
        Assert.Equal(60, totals.ConcurrencyPerMinute.Length);
        Assert.Equal(new[] { 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0 },
            totals.ConcurrencyPerMinute[..21]);
    }

    [Fact]
    public void Concurrency_OneLeavesAsAnotherJoins_AreNotTogether()
    {
        var totals = Compute(S("u:a", 0, 10), S("u:b", 10, 20));

        Assert.Equal(1, totals.PeakConcurrentViewers);
    }

    [Fact]
    public void Concurrency_LiveWebinar_SeriesStopsAtNow()
    {
        var totals = Compute(Min(12.5), S("u:a", 0, 10, open: true));

        Assert.Equal(13, totals.ConcurrencyPerMinute.Length);
    }

    [Fact]
    public void Compute_NoSessions_IsAllZero()
    {
        var totals = Compute();

        Assert.Equal((0, 0, 0.0, 0, null), (totals.UniqueViewers, totals.Sessions, totals.CompletionRate,
            totals.PeakConcurrentViewers, totals.PeakAt));
        Assert.All(totals.ConcurrencyPerMinute, v => Assert.Equal(0, v));
    }
}
