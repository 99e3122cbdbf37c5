using System.Globalization;
using Heartline.Core.Events;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>
/// The seed's daily report (7.2) and dashboard figures (7.1) for one office and one local day. The error rate is the
/// seed's KPI (9.1, "전체 PTT 시도 대비 실패율"): failed attempts out of all press attempts (sessions started plus busy
/// presses). A busy press is floor control working, not a failure; a failed attempt is a session that ended other than
/// by a release, a pre-emption or the maximum talk time (the three ends the rules intend): a dropped connection, a
/// lapsed lease, a restart, the stale cleaner, a lost node.
/// </summary>
internal sealed class PttStatistics(PttStore store, IEventLog events, IOptions<PttOptions> options, TimeProvider time)
{
    private static readonly HashSet<string> IntendedEnds =
        [PttEndReasons.Released, PttEndReasons.Preempted, PttEndReasons.MaxDuration, PttEndReasons.Emergency];

    public Task<PttDailyStats> DailyAsync(string office, DateOnly? date, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.StatsTimeZone);
        var day = date ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        return PeriodAsync(office, day, day.AddDays(1), zone, cancellationToken);
    }

    /// <summary>
    /// The figures of the local days [<paramref name="first"/>, <paramref name="end"/>) in <paramref name="zone"/> (a day,
    /// a week, a month); <c>Date</c> names the first day.
    /// </summary>
    public async Task<PttDailyStats> PeriodAsync(string office, DateOnly first, DateOnly end, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = first;
        var start = LocalMidnight(first, zone);
        var stop = LocalMidnight(end, zone);
        return await FiguresAsync(office, day, start, stop, zone, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drivers (pickup_driver app) who were in at least one session of the office in [from, to).</summary>
    public Task<int> ActiveDriversAsync(string office, DateOnly first, DateOnly end, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        store.ActiveDriversAsync(office, LocalMidnight(first, zone), LocalMidnight(end, zone), cancellationToken);

    private async Task<PttDailyStats> FiguresAsync(string office, DateOnly day, long start, long end, TimeZoneInfo zone, DateTimeOffset now,
        CancellationToken cancellationToken)
    {

        var sessions = await store.SessionsAsync(office, start, end, cancellationToken).ConfigureAwait(false);
        var participants = await store.ParticipantMetricsAsync(office, start, end, cancellationToken).ConfigureAwait(false);
        var busy = await CountAsync(office, PttEventTypes.PttBusy, start, end, cancellationToken).ConfigureAwait(false);

        var nowMs = now.ToUnixTimeMilliseconds();
        var talkMs = sessions.Select(s => (double)((s.EndedAt ?? nowMs) - s.StartedAt)).ToList();
        var ended = sessions.Where(s => s.EndReason is not null).ToList();
        var failed = ended.Count(s => !IntendedEnds.Contains(s.EndReason!));
        var pressToGrant = sessions.Where(s => s.PressToGrantUs is not null).Select(s => s.PressToGrantUs!.Value / 1000.0).ToList();
        var notify = participants.Where(p => p.NotifyMs is not null).Select(p => p.NotifyMs!.Value).ToList();
        var listenerCount = sessions.Sum(s => s.PeakParticipants);
        var lost = sessions.Sum(s => s.HeartbeatLost);
        var attempts = sessions.Count + busy;
        return new PttDailyStats(office, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), zone.Id,
            sessions.Count, Math.Round(talkMs.Sum() / 60_000, 2), talkMs.Count == 0 ? 0 : Math.Round(talkMs.Average() / 1000, 2),
            sessions.Count == 0 ? 0 : (int)sessions.Max(s => s.PeakParticipants), attempts, busy,
            attempts == 0 ? 0 : Math.Round((double)busy / attempts, 4), attempts == 0 ? 0 : Math.Round((double)failed / attempts, 4),
            Average(pressToGrant), Percentile(pressToGrant, 0.95), Average(notify), Percentile(notify, 0.95),
            Average([.. participants.Where(p => p.TokenMs is not null).Select(p => p.TokenMs!.Value)]),
            Average([.. participants.Where(p => p.JoinMs is not null).Select(p => p.JoinMs!.Value)]),
            listenerCount == 0 ? null : Math.Round(1 - (double)lost / listenerCount, 4),
            ended.GroupBy(s => s.EndReason!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <summary>The KPI figures of an office over [<paramref name="start"/>, <paramref name="end"/>) (Unix ms), with their sample counts.</summary>
    public async Task<KpiWindow> KpiAsync(string office, long start, long end, CancellationToken cancellationToken)
    {
        var sessions = await store.SessionsAsync(office, start, end, cancellationToken).ConfigureAwait(false);
        var participants = await store.ParticipantMetricsAsync(office, start, end, cancellationToken).ConfigureAwait(false);
        var busy = await CountAsync(office, PttEventTypes.PttBusy, start, end, cancellationToken).ConfigureAwait(false);
        var failed = sessions.Count(s => s.EndReason is { } reason && !IntendedEnds.Contains(reason));
        double[] Of(Func<ParticipantMetricsRow, double?> figure) => [.. participants.Select(figure).Where(v => v is not null).Select(v => v!.Value)];
        var (notify, token, join) = (Of(p => p.NotifyMs), Of(p => p.TokenMs), Of(p => p.JoinMs));
        var attempts = sessions.Count + busy;
        return new KpiWindow(Average(notify), notify.Length, Average(token), token.Length, Average(join), join.Length,
            attempts == 0 ? 0 : (double)failed / attempts, attempts);
    }

    private async Task<int> CountAsync(string office, string type, long from, long to, CancellationToken cancellationToken)
    {
        var count = 0;
        long? after = null;
        do
        {
            var page = await events.QueryAsync(new EventQuery(office, from, to, type, after, 1000), cancellationToken).ConfigureAwait(false);
            count += page.Items.Count;
            after = page.NextAfterId;
        } while (after is not null);
        return count;
    }

    internal static long LocalMidnight(DateOnly day, TimeZoneInfo zone) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUnixTimeMilliseconds();

    private static double? Average(IReadOnlyCollection<double> values) => values.Count == 0 ? null : Math.Round(values.Average(), 3);

    /// <summary>Nearest-rank percentile.</summary>
    internal static double? Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Count - 1)], 3);
    }
}

/// <summary>An office's KPI figures over a window, each with the number of samples behind it.</summary>
internal sealed record KpiWindow(double? NotifyMs, int NotifySamples, double? TokenMs, int TokenSamples, double? JoinMs, int JoinSamples,
    double ErrorRate, int Attempts);
