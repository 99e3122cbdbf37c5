using System.Buffers;
using System.Runtime.CompilerServices;

namespace Heartline.Webinar;

/// <summary>One viewer's figures over the content window.</summary>
internal sealed record ViewerStats(
    string ViewerKey, string? UserId, double WatchedSeconds, double VisibleSeconds, int Sessions, long FirstJoinAt,
    long? LastLeaveAt, bool Completed);

/// <summary>Everything <c>GET /api/webinars/{id}/stats</c> reports except live presence.</summary>
internal sealed record WatchTotals(
    int UniqueViewers, int Sessions, double AverageWatchedSeconds, double AverageVisibleSeconds, int CompletedViewers,
    double CompletionRate, int PeakConcurrentViewers, long? PeakAt, long SeriesFrom, int[] ConcurrencyPerMinute,
    IReadOnlyList<ViewerStats> Viewers);

/// <summary>
/// Watch-time statistics in one pass over a webinar's sessions sorted by (viewer, entered_at).
/// A viewer's watched time is the length of the union of their session intervals intersected with the content
/// window, so overlapping tabs and devices count once and nobody exceeds the content's length.
/// </summary>
internal static class WatchStatistics
{
    /// <summary>The concurrency series stops after this many minutes (a week).</summary>
    public const int MaxSeriesMinutes = 7 * 24 * 60;

    public static WatchTotals Compute(WebinarRecord webinar, StatsRows rows, long now, int completionPercent)
    {
        var sessions = rows.Span;
        var contentMs = Math.Max(0, webinar.ContentTo - webinar.ContentFrom);
        var completionMs = contentMs * completionPercent / 100.0;
        // Clipped union intervals of every viewer, as +1 / −1 events for the concurrency sweep. At most one per session;
        // pooled, because 100,000 sessions' worth would land on the large object heap on every request.
        var intervals = new Intervals(sessions.Length);
        try
        {
            return Compute(webinar, rows, now, completionMs, contentMs, ref intervals);
        }
        finally
        {
            intervals.Return();
        }
    }

    // One pass over every session, called rarely: fully optimized from the first call (see SqliteStatsReader.Read).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static WatchTotals Compute(WebinarRecord webinar, StatsRows rows, long now, double completionMs,
        long contentMs, ref Intervals intervals)
    {
        var sessions = rows.Span;
        long from = webinar.ContentFrom, to = webinar.ContentTo;
        var viewers = new List<ViewerStats>(rows.Viewers);
        double watchedTotal = 0, visibleTotal = 0;
        var completed = 0;

        var i = 0;
        while (i < sessions.Length)
        {
            var first = sessions[i];
            long watchedMs = 0, lastLeave = long.MinValue;
            double visible = 0;
            var open = false;
            var count = 0;
            long runStart = first.EnteredAt, runEnd = first.EndAt;
            for (; i < sessions.Length && sessions[i].Viewer == first.Viewer; i++)
            {
                var s = sessions[i];
                count++;
                visible += s.VisibleContentSeconds;
                open |= s.Open;
                if (!s.Open) lastLeave = Math.Max(lastLeave, s.EndAt);
                if (s.EnteredAt > runEnd)
                {
                    watchedMs += Clip(runStart, runEnd, from, to, ref intervals);
                    runStart = s.EnteredAt;
                    runEnd = s.EndAt;
                }
                else
                {
                    runEnd = Math.Max(runEnd, s.EndAt);
                }
            }
            watchedMs += Clip(runStart, runEnd, from, to, ref intervals);

            var watched = watchedMs / 1000.0;
            // Visible time comes from heartbeats per session; two visible tabs at once would count twice, so it is
            // capped by the viewer's (union) watched time.
            visible = Math.Min(visible, watched);
            var done = contentMs > 0 && watchedMs >= completionMs;
            var key = rows.ViewerKey(first.Viewer);
            viewers.Add(new ViewerStats(key, StatsRows.UserIdOf(key), watched, visible, count, first.EnteredAt,
                open ? null : lastLeave, done));
            watchedTotal += watched;
            visibleTotal += visible;
            if (done) completed++;
        }

        var seriesTo = Math.Min(to, Math.Max(from, now));
        var (peak, peakAt, series) = Concurrency(intervals.Starts, intervals.Ends, from, seriesTo);
        var n = viewers.Count;
        return new WatchTotals(n, sessions.Length, n == 0 ? 0 : watchedTotal / n, n == 0 ? 0 : visibleTotal / n,
            completed, n == 0 ? 0 : (double)completed / n, peak, peakAt, from, series, viewers);
    }

    /// <summary>The length of [start, end] ∩ [from, to], recording the clipped interval when it is not empty.</summary>
    private static long Clip(long start, long end, long from, long to, ref Intervals intervals)
    {
        var s = Math.Max(start, from);
        var e = Math.Min(end, to);
        if (e <= s) return 0;
        intervals.Add(s, e);
        return e - s;
    }

    /// <summary>Interval starts and ends in rented arrays; there are never more intervals than sessions.</summary>
    private struct Intervals(int capacity)
    {
        private readonly long[] _starts = ArrayPool<long>.Shared.Rent(Math.Max(1, capacity));
        private readonly long[] _ends = ArrayPool<long>.Shared.Rent(Math.Max(1, capacity));
        private int _count;

        public readonly Span<long> Starts => _starts.AsSpan(0, _count);

        public readonly Span<long> Ends => _ends.AsSpan(0, _count);

        public void Add(long start, long end)
        {
            _starts[_count] = start;
            _ends[_count++] = end;
        }

        public readonly void Return()
        {
            ArrayPool<long>.Shared.Return(_starts);
            ArrayPool<long>.Shared.Return(_ends);
        }
    }

    /// <summary>
    /// Peak viewers and the most viewers present at once during each minute of [from, to), by a sweep over the
    /// sorted interval starts and ends (half-open: a viewer leaving at t and another joining at t are not together).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Peak, long? PeakAt, int[] Series) Concurrency(Span<long> starts, Span<long> ends,
        long from, long to)
    {
        var minutes = (int)Math.Min(MaxSeriesMinutes, Math.Max(0, (to - from + 59_999) / 60_000));
        var series = new int[minutes];
        starts.Sort();
        ends.Sort();

        int peak = 0, current = 0, si = 0, ei = 0;
        long? peakAt = null;
        while (ei < ends.Length)
        {
            long t;
            // Ends first at equal times.
            if (si < starts.Length && starts[si] < ends[ei])
            {
                t = starts[si++];
                if (++current > peak)
                {
                    peak = current;
                    peakAt = t;
                }
            }
            else
            {
                t = ends[ei++];
                current--;
            }
            // The count holds from t until the next event; raise every minute it touches.
            if (current > 0) Raise(series, from, t, si < starts.Length ? Math.Min(starts[si], ends[ei]) : ends[ei], current);
        }
        return (peak, peakAt, series);
    }

    private static void Raise(int[] series, long from, long start, long end, int value)
    {
        if (end <= start || series.Length == 0) return;
        var first = (int)Math.Max(0, (start - from) / 60_000);
        var last = (int)Math.Min(series.Length - 1, (end - 1 - from) / 60_000);
        for (var m = first; m <= last; m++)
        {
            if (series[m] < value) series[m] = value;
        }
    }
}
