using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Core.Protocol;
using Heartline.Ptt.Agora;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>The PTT HTTP API (docs/protocol.md 10.4). Every endpoint is scoped to the caller's office; admins see all.</summary>
internal static class PttApi
{
    private static readonly DateOnly MinStatsDay = new(1970, 1, 1);
    private static readonly DateOnly MaxStatsDay = new(9998, 12, 31);

    public static IEndpointRouteBuilder MapPttApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ptt").RequireAuthorization();
        group.MapPost("/token", IssueToken).WithName("IssuePttToken").WithSummary("Agora AccessToken2 for the caller's office channel.");
        group.MapGet("/offices", ListOffices).WithName("ListPttOffices")
            .WithSummary("Offices with an active session or a session in the last 24 hours, with their live state (admins: all; others: their own).");
        group.MapGet("/offices/{office}", GetOffice).WithName("GetPttOffice").WithSummary("Live PTT state of an office.");
        group.MapGet("/events", GetEvents).WithName("GetPttEvents").WithSummary("PTT events of an office, paged oldest first or (order=desc) newest first.");
        group.MapGet("/stats", GetStats).WithName("GetPttStats").WithSummary("Daily PTT statistics of an office.");
        group.MapPost("/sessions/{id}/end", EndSession).WithName("EndPttSession")
            .WithSummary("An operator ends a session (admins; call managers of its office); recorded with who did it.");
        group.MapPost("/stale-cleaner/run", RunStaleCleaner).WithName("RunPttStaleCleaner")
            .WithSummary("Runs the stale cleaner now (admins); returns how many it removed.")
            .RequireAuthorization(HeartlinePolicies.Administrator);
        Recordings.RecordingsApi.Map(group);
        group.MapGet("/emergencies", EmergenciesApi.ListOpen).WithName("ListPttEmergencies")
            .WithSummary("The office's emergencies not acknowledged yet, oldest first.");
        group.MapGet("/kpi", GetKpi).WithName("GetPttKpiBreaches")
            .WithSummary("The office's KPIs in breach now, as the kpi_alert that announced each.");
        group.MapGet("/reports", PttReportsApi.ListReports).WithName("ListPttReports")
            .WithSummary("An office's daily, weekly and monthly reports, newest first (period=day|week|month).");
        group.MapGet("/reports/{id}", PttReportsApi.GetReport).WithName("GetPttReport").WithSummary("One report's figures.");
        group.MapGet("/reports/{id}/csv", PttReportsApi.GetReportCsv).WithName("GetPttReportCsv").WithSummary("One report as CSV (a header row, a row of figures).");
        group.MapGet("/sessions/{id}", GetSession).WithName("GetPttSession")
            .WithSummary("One transmission: speaker, times, end reason, its listeners with when each joined and left and their latencies.");
        return app;
    }

    /// <summary>
    /// The office a request is about: <paramref name="requested"/>, else the caller's own; false, with the problem to
    /// answer, when the token names none or the caller may not watch it.
    /// </summary>
    internal static bool TryObserve(HttpContext http, string? requested, [NotNullWhen(true)] out string? office,
        [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        var user = http.GetPrincipal();
        office = requested ?? user.OfficeKey();
        problem = office is null ? HttpProblems.BadRequest("office is required: the token names no office")
            : user.CanObserve(office) ? null : HttpProblems.Forbidden("another office");
        return problem is null;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(HttpContext http, FloorControl floors,
        IOptions<AgoraOptions> agora, TimeProvider time, TokenRequest? request, CancellationToken cancellationToken)
    {
        var user = http.GetPrincipal();
        var options = agora.Value;
        if (request?.Office is { } requested && !PttIdentity.IsOfficeKey(requested))
            return HttpProblems.BadRequest("office: {region_id}_{office_id}, each 1-64 of A-Z a-z 0-9 - . @");
        if ((request?.Office ?? user.OfficeKey()) is not { } office) return HttpProblems.BadRequest("office is required: the token names no office");
        if (!user.CanObserve(office)) return HttpProblems.Forbidden("another office");
        if (string.IsNullOrEmpty(options.AppId) || string.IsNullOrEmpty(options.AppCertificate))
            return HttpProblems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                "Agora is not configured (Ptt:Agora:AppId, Ptt:Agora:AppCertificate)");
        if (!user.Has(PttRoles.Talk) && !user.Has(PttRoles.Observe))
            return HttpProblems.Forbidden("this principal's roles may not join push-to-talk media");
        var speaker = await floors.SpeakerAsync(office, cancellationToken).ConfigureAwait(false);
        var publisher = speaker is not null && speaker.UserId == user.SubjectId && user.Has(PttRoles.Talk);
        var uid = AgoraUid(user.SubjectId);
        var issuedAt = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        var salt = (uint)RandomNumberGenerator.GetInt32(1, 100_000_000);
        var channel = PttChannels.MediaChannel(office);
        var token = AgoraTokenBuilder.BuildRtcToken(options.AppId, options.AppCertificate, channel, uid,
            publisher ? AgoraRole.Publisher : AgoraRole.Subscriber, issuedAt, salt, (uint)options.TokenExpireSeconds);
        return TypedResults.Ok(new TokenResponse(token, options.AppId, channel, uid, publisher ? "publisher" : "subscriber",
            (issuedAt + (long)options.TokenExpireSeconds) * 1000));
    }

    /// <summary>A stable non-zero 32-bit Agora uid for a user id (uid 0 would let anyone join with the token).</summary>
    internal static uint AgoraUid(string userId)
    {
        // FNV-1a: small, stable across processes and platforms (string.GetHashCode is randomized per process).
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(userId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash == 0 ? 1 : hash;
    }

    private static async Task<Ok<IReadOnlyList<PttState>>> ListOffices(HttpContext http, FloorControl floors, PttStore store,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var user = http.GetPrincipal();
        var since = time.GetUtcNow().AddDays(-1).ToUnixTimeMilliseconds();
        var offices = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var office in await floors.ActiveOfficesAsync(cancellationToken).ConfigureAwait(false)) offices.Add(office);
        foreach (var office in await store.OfficesSinceAsync(since, cancellationToken).ConfigureAwait(false)) offices.Add(office);
        if (user.OfficeKey() is { } own) offices.Add(own);
        var states = new List<PttState>();
        foreach (var office in offices.Where(user.CanObserve)) states.Add(await floors.StateAsync(office, cancellationToken).ConfigureAwait(false));
        return TypedResults.Ok<IReadOnlyList<PttState>>(states);
    }

    private static async Task<Results<Ok<PttState>, ProblemHttpResult>> GetOffice(string office, HttpContext http, FloorControl floors,
        CancellationToken cancellationToken)
    {
        var user = http.GetPrincipal();
        if (!user.CanObserve(office)) return HttpProblems.Forbidden("another office");
        return TypedResults.Ok(await floors.StateAsync(office, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<EventsResponse>, ProblemHttpResult>> GetEvents(HttpContext http, IEventLog events,
        string? office, long? from, long? to, string? type, long? after, long? before, string? order, int? limit,
        [FromQuery(Name = "session_id")] string? sessionId, CancellationToken cancellationToken)
    {
        if (!TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        if (type is not null && !PttEventTypes.All.Contains(type)) return HttpProblems.BadRequest("type: one of " + string.Join(", ", PttEventTypes.All));
        if (limit is < 1 or > 1000) return HttpProblems.BadRequest("limit: 1 to 1000");
        if (order is not (null or "asc" or "desc")) return HttpProblems.BadRequest("order: asc or desc");
        if (sessionId is { Length: > EventsApi.MaxSessionIdLength }) return HttpProblems.BadRequest("session_id too long");
        var query = new EventQuery(office, from, to, type, after, limit ?? 100, before, Descending: order == "desc", SessionId: sessionId);
        return TypedResults.Ok(await EventsApi.PageAsync(events, query, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<SessionDetail>, ProblemHttpResult>> GetSession(HttpContext http, PttStore store, string id,
        CancellationToken cancellationToken)
    {
        if (id.Length > EventsApi.MaxSessionIdLength) return HttpProblems.BadRequest("session id too long");
        var user = http.GetPrincipal();
        // Another office's session answers as an unknown one: its id says nothing to those who may not see it.
        if (await store.SessionAsync(id, cancellationToken).ConfigureAwait(false) is not { } session || !user.CanObserve(session.Office))
            return HttpProblems.NotFound("no such session");
        return TypedResults.Ok(session);
    }

    private static async Task<Results<Ok<OperatorResult>, ProblemHttpResult>> EndSession(HttpContext http, PttStore store, FloorControl floors,
        string id, CancellationToken cancellationToken)
    {
        if (id.Length > EventsApi.MaxSessionIdLength) return HttpProblems.BadRequest("session id too long");
        var user = http.GetPrincipal();
        if (await store.SessionAsync(id, cancellationToken).ConfigureAwait(false) is not { } session || !user.CanObserve(session.Office))
            return HttpProblems.NotFound("no such session");
        if (!user.Has(PttRoles.Operate)) return HttpProblems.Forbidden("only administrators and the office's call managers end sessions");
        var ended = await floors.EndByOperatorAsync(session.Office, id, user, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new OperatorResult(ended, ended ? 1 : 0));
    }

    private static async Task<Ok<OperatorResult>> RunStaleCleaner(HttpContext http, FloorControl floors, CancellationToken cancellationToken)
    {
        var removed = await floors.RunStaleCleanerAsync(http.GetPrincipal(), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new OperatorResult(removed > 0, removed));
    }

    private static async Task<Results<Ok<IReadOnlyList<KpiAlert>>, ProblemHttpResult>> GetKpi(HttpContext http, KpiAlerts alerts, string? office,
        CancellationToken cancellationToken)
    {
        if (!TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        return TypedResults.Ok(await alerts.CurrentAsync(office, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<PttDailyStats>, ProblemHttpResult>> GetStats(HttpContext http, PttStatistics statistics,
        string? office, string? date, CancellationToken cancellationToken)
    {
        if (!TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        DateOnly? day = null;
        if (date is not null)
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                return HttpProblems.BadRequest("date: YYYY-MM-DD");
            // Days whose bounds in any time zone are representable instants (a day at 0001-01-01 starts before year 1 in UTC+14).
            if (parsed < MinStatsDay || parsed > MaxStatsDay)
                return HttpProblems.BadRequest("date: from 1970-01-01 to 9998-12-31");
            day = parsed;
        }
        return TypedResults.Ok(await statistics.DailyAsync(office, day, cancellationToken).ConfigureAwait(false));
    }
}
