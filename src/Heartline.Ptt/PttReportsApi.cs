using System.Globalization;
using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Ptt;

/// <summary><c>/api/ptt/reports</c>: kept reports of an office, as JSON or CSV; scoped like the statistics.</summary>
internal static class PttReportsApi
{
    public static async Task<Results<Ok<IReadOnlyList<PttReport>>, ProblemHttpResult>> ListReports(HttpContext http, PttStore store, string? office,
        string? period, int? limit, CancellationToken cancellationToken)
    {
        if (!PttApi.TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        if (period is not (null or PttReports.Day or PttReports.Week or PttReports.Month)) return HttpProblems.BadRequest("period: day, week or month");
        if (limit is < 1 or > 500) return HttpProblems.BadRequest("limit: 1 to 500");
        var rows = await store.KeptReportsAsync(office, period, limit ?? 60, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<PttReport>>([.. rows.Select(Read)]);
    }

    public static async Task<Results<Ok<PttReport>, ProblemHttpResult>> GetReport(HttpContext http, PttStore store, string id,
        CancellationToken cancellationToken) =>
        await FindAsync(http, store, id, cancellationToken).ConfigureAwait(false) is { } report
            ? TypedResults.Ok(report)
            : HttpProblems.NotFound("no such report");

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetReportCsv(HttpContext http, PttStore store, string id,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(http, store, id, cancellationToken).ConfigureAwait(false) is not { } report) return HttpProblems.NotFound("no such report");
        var name = $"ptt-{report.Office}-{report.Period}-{report.Start}.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Csv(report))).ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary>
    /// A header row and one row of figures; end reasons become <c>end_{reason}</c> columns. The file starts with a UTF-8
    /// byte order mark so spreadsheet programs read it as UTF-8; fields are quoted as RFC 4180 asks.
    /// </summary>
    internal static string Csv(PttReport report)
    {
        var f = report.Figures;
        var columns = new List<(string Name, string Value)>
        {
            ("office", report.Office), ("period", report.Period), ("start", report.Start), ("end", report.End), ("time_zone", report.TimeZone),
            ("sessions", Num(f.Sessions)), ("talk_minutes", Num(f.TotalTalkMinutes)), ("average_talk_seconds", Num(f.AverageTalkSeconds)),
            ("peak_participants", Num(f.PeakParticipants)), ("press_attempts", Num(f.PressAttempts)), ("busy_presses", Num(f.BusyPresses)),
            ("busy_rate", Num(f.BusyRate)), ("error_rate", Num(f.ErrorRate)), ("press_to_grant_avg_ms", Num(f.PressToGrantAvgMs)),
            ("press_to_grant_p95_ms", Num(f.PressToGrantP95Ms)), ("notify_avg_ms", Num(f.NotifyAvgMs)), ("notify_p95_ms", Num(f.NotifyP95Ms)),
            ("token_avg_ms", Num(f.TokenAvgMs)), ("join_avg_ms", Num(f.JoinAvgMs)), ("heartbeat_success_rate", Num(f.HeartbeatSuccessRate)),
            ("active_drivers", Num(report.ActiveDrivers)), ("registered_drivers", Num(report.RegisteredDrivers)),
        };
        columns.AddRange(f.EndReasons.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => ("end_" + e.Key, Num(e.Value))));
        return string.Join(',', columns.Select(c => Quote(c.Name))) + "\r\n" + string.Join(',', columns.Select(c => Quote(c.Value))) + "\r\n";
    }

    private static async Task<PttReport?> FindAsync(HttpContext http, PttStore store, string id, CancellationToken cancellationToken)
    {
        if (id.Length > 256) return null;
        // Another office's report answers as an unknown one.
        return await store.KeptReportAsync(id, cancellationToken).ConfigureAwait(false) is { } row && http.GetPrincipal().CanObserve(row.Office)
            ? Read(row)
            : null;
    }

    private static PttReport Read(ReportRow row) => JsonSerializer.Deserialize(row.Data, PttJsonContext.Default.PttReport)!;

    private static string Num(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>RFC 4180 quoting; a field a spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe.</summary>
    private static string Quote(string value)
    {
        var formula = value.Length > 0 && value[0] is '=' or '+' or '-' or '@';
        if (!formula && value.AsSpan().IndexOfAny(",\"\r\n") < 0) return value;
        return "\"" + (formula ? "'" : "") + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
