using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Heartline.Core.Accounts;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>Reports of each office (seed 001 §7, §12), bound from <c>Ptt:Reports</c>.</summary>
internal sealed class PttReportOptions
{
    public const string Section = "Ptt:Reports";

    /// <summary>How often a node looks for periods that ended and are not reported yet. Default: 10 minutes.</summary>
    [Range(1, 24 * 60)] public int CheckMinutes { get; set; } = 10;

    /// <summary>How many past days, weeks and months are looked at (a server that was down catches up). Default: 7.</summary>
    [Range(1, 60)] public int CatchUpPeriods { get; set; } = 7;

    /// <summary>How long reports are kept. Default: 400 days (a year of dailies, with the same month last year).</summary>
    [Range(1, 10 * 366)] public int KeepDays { get; set; } = 400;

    /// <summary>Time zones of offices whose days end elsewhere than <c>Ptt:StatsTimeZone</c> (Asia/Seoul), by office key.</summary>
    public Dictionary<string, string> TimeZones { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A kept report: the period and its figures, with the office's active and registered drivers.</summary>
internal sealed record PttReport(string ReportId, string Office, string Period, string Start, string End, string TimeZone, long GeneratedAt,
    PttDailyStats Figures, int ActiveDrivers, int RegisteredDrivers);

/// <summary>
/// Makes the reports: once a day, a week (Monday to Sunday) or a month has ended in an office's time zone, its figures
/// (PttStatistics over the period) are kept as a report, for every office that had a session then. Each node looks every
/// <c>Ptt:Reports:CheckMinutes</c>; a period already reported (here or by another node) is skipped, so a cluster makes
/// each report once. Reports older than <c>KeepDays</c> are deleted.
/// </summary>
internal sealed class PttReports(PttStore store, PttStatistics statistics, IAccountsDirectory accounts, IGroups groups,
    IOptions<PttReportOptions> options, IOptions<PttOptions> ptt, TimeProvider time) : ISweeper
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";

    public string Name => "ptt-reports";

    public TimeSpan Period => TimeSpan.FromMinutes(options.Value.CheckMinutes);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var made = 0;
        var catchUp = options.Value.CatchUpPeriods;
        // Offices with a session since the earliest period looked at (a month back, and catch-up months before it).
        var offices = await store.OfficesSinceAsync(now.AddMonths(-(catchUp + 1)).AddDays(-1).ToUnixTimeMilliseconds(), cancellationToken)
            .ConfigureAwait(false);
        foreach (var office in offices)
        {
            var zone = await ZoneOfAsync(office, cancellationToken).ConfigureAwait(false);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
            foreach (var (period, first, end) in EndedPeriods(today, catchUp))
            {
                if (await MakeAsync(office, period, first, end, zone, cancellationToken).ConfigureAwait(false)) made++;
            }
        }
        await store.PurgeReportsAsync((now - TimeSpan.FromDays(options.Value.KeepDays)).ToUnixTimeMilliseconds(), cancellationToken)
            .ConfigureAwait(false);
        return made;
    }

    /// <summary>The office's time zone: its group's (the admin console), else <c>Ptt:Reports:TimeZones</c>, else <c>Ptt:StatsTimeZone</c>.</summary>
    public async Task<TimeZoneInfo> ZoneOfAsync(string office, CancellationToken cancellationToken) =>
        TimeZoneInfo.FindSystemTimeZoneById(await groups.TimeZoneAsync(PttIdentity.OfficeGroup.Name, office, cancellationToken).ConfigureAwait(false)
            ?? (options.Value.TimeZones.TryGetValue(office, out var zone) ? zone : ptt.Value.StatsTimeZone));

    /// <summary>The last <paramref name="count"/> days, weeks (Monday first) and months that ended before <paramref name="today"/>.</summary>
    internal static IEnumerable<(string Period, DateOnly First, DateOnly End)> EndedPeriods(DateOnly today, int count)
    {
        for (var i = 1; i <= count; i++) yield return (Day, today.AddDays(-i), today.AddDays(-i + 1));
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        for (var i = 1; i <= count; i++) yield return (Week, monday.AddDays(-7 * i), monday.AddDays(-7 * (i - 1)));
        var firstOfMonth = new DateOnly(today.Year, today.Month, 1);
        for (var i = 1; i <= count; i++) yield return (Month, firstOfMonth.AddMonths(-i), firstOfMonth.AddMonths(-i + 1));
    }

    public static string IdOf(string office, string period, DateOnly first) =>
        $"{office}|{period}|{first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private async Task<bool> MakeAsync(string office, string period, DateOnly first, DateOnly end, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var id = IdOf(office, period, first);
        if (await store.ReportExistsAsync(id, cancellationToken).ConfigureAwait(false)) return false;
        var figures = await statistics.PeriodAsync(office, first, end, zone, cancellationToken).ConfigureAwait(false);
        // A period without a press is not reported: an office that was idle then has nothing to read.
        if (figures.PressAttempts == 0) return false;
        var active = await statistics.ActiveDriversAsync(office, first, end, zone, cancellationToken).ConfigureAwait(false);
        // Office keys are {region}_{office}, neither part containing '_'.
        var split = office.IndexOf('_', StringComparison.Ordinal);
        var registered = accounts.CountActive(PttRoles.PickupDriver, new Dictionary<string, string>
        {
            [PttIdentity.RegionClaim] = office[..split], [PttIdentity.OfficeClaim] = office[(split + 1)..],
        });
        var report = new PttReport(id, office, period, Text(first), Text(end), zone.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), figures, active,
            registered);
        return await store.InsertReportAsync(new ReportRow
        {
            ReportId = id, Office = office, Period = period, PeriodStart = report.Start, PeriodEnd = report.End, TimeZone = zone.Id,
            GeneratedAt = report.GeneratedAt, Data = JsonSerializer.Serialize(report, PttJsonContext.Default.PttReport),
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
