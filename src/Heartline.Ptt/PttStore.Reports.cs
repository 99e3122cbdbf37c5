using Dapper;

namespace Heartline.Ptt;

/// <summary>A kept report as listed: its period and when it was made (the figures are in <see cref="Data"/>).</summary>
internal sealed class ReportRow
{
    public string ReportId { get; init; } = "";
    public string Office { get; init; } = "";
    public string Period { get; init; } = "";
    public string PeriodStart { get; init; } = "";
    public string PeriodEnd { get; init; } = "";
    public string TimeZone { get; init; } = "";
    public long GeneratedAt { get; init; }
    public string Data { get; init; } = "";
}

internal sealed partial class PttStore
{
    private const string ReportColumns =
        """
        report_id AS ReportId, office AS Office, period AS Period, period_start AS PeriodStart, period_end AS PeriodEnd,
        time_zone AS TimeZone, generated_at AS GeneratedAt, data AS Data
        """;

    /// <summary>Keeps a report; false when that office's period was reported already (by this node or another).</summary>
    public Task<bool> InsertReportAsync(ReportRow report, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ptt_reports (report_id, office, period, period_start, period_end, time_zone, generated_at, data)
            VALUES (@ReportId, @Office, @Period, @PeriodStart, @PeriodEnd, @TimeZone, @GeneratedAt, @Data)
            ON CONFLICT DO NOTHING
            """, report, tx, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1, cancellationToken);

    public Task<bool> ReportExistsAsync(string reportId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ptt_reports WHERE report_id = @ReportId", new { ReportId = reportId },
            cancellationToken: cancellationToken)).ConfigureAwait(false) > 0, cancellationToken);

    /// <summary>An office's reports, newest period first, of one kind or all.</summary>
    public Task<IReadOnlyList<ReportRow>> KeptReportsAsync(string office, string? period, int limit, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<ReportRow>>(async c => [.. await c.QueryAsync<ReportRow>(new CommandDefinition(
            $"""
            SELECT {ReportColumns} FROM ptt_reports
            WHERE office = @Office AND (@Period IS NULL OR period = @Period)
            ORDER BY period_start DESC, period LIMIT @Limit
            """, new { Office = office, Period = period, Limit = limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);

    public Task<ReportRow?> KeptReportAsync(string reportId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ReportRow>(new CommandDefinition(
            $"SELECT {ReportColumns} FROM ptt_reports WHERE report_id = @ReportId", new { ReportId = reportId },
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Deletes reports generated before <paramref name="before"/> (the retention).</summary>
    public Task<int> PurgeReportsAsync(long before, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ptt_reports WHERE generated_at < @Before", new { Before = before }, tx, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>Distinct drivers (the pickup_driver app) who were in a session of the office that started in [from, to).</summary>
    public Task<int> ActiveDriversAsync(string office, long from, long to, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (int)await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT COUNT(DISTINCT p.user_id) FROM ptt_participants p JOIN ptt_sessions s ON s.session_id = p.session_id
            WHERE s.office = @Office AND s.started_at >= @From AND s.started_at < @To AND p.app_type = 'pickup_driver'
            """, new { Office = office, From = from, To = to }, cancellationToken: cancellationToken)).ConfigureAwait(false), cancellationToken);

    /// <summary>The office's KPIs in breach now: name, the value that breached, since when.</summary>
    public Task<IReadOnlyList<(string Kpi, double? Value, long ChangedAt)>> BreachesAsync(string office, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<(string, double?, long)>>(async c => [.. await c.QueryAsync<(string, double?, long)>(new CommandDefinition(
            "SELECT kpi, value, changed_at FROM ptt_kpi_state WHERE office = @Office AND breached = 1 ORDER BY kpi",
            new { Office = office }, cancellationToken: cancellationToken)).ConfigureAwait(false)], cancellationToken);
}
