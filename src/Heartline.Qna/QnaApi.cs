using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// <c>/api/qna</c>: nearby questions, one question, the regions; and for administrators the blocklist and a
/// question's delivery report (who each tier told, and its jobs). Every request counts against the per-address limit.
/// </summary>
internal static class QnaApi
{
    public const string RatePolicy = "qna-per-address";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/qna").RequireAuthorization().RequireRateLimiting(RatePolicy).WithTags("Q&A");
        api.MapGet("/regions", () => TypedResults.Json(Jeju.Regions.Select(r => (Region: r, Centre: Jeju.CentreOf(r)))
            .Select(x => new RegionInfo(x.Region.Code, x.Region.NameKo, x.Region.NameEn, x.Centre.Lat, x.Centre.Lng)).ToArray(),
            QnaJson.Default.RegionInfoArray)).WithName("QnaRegions");
        api.MapGet("/push/key", (WebPushSender webPush) => TypedResults.Json(new PushKeyReply(webPush.PublicKey, webPush.Enabled), QnaJson.Default.PushKeyReply))
            .WithName("QnaWebPushKey");
        api.MapGet("/questions/nearby", async Task<Results<JsonHttpResult<NearbyReply>, ProblemHttpResult>> (HttpContext http, Nearby nearby,
            double? lat, double? lng, int? radius_m, int? limit, int? offset, CancellationToken ct) =>
        {
            if (Forbidden(http) is { } forbidden) return forbidden;
            if (lat is not { } la || lng is not { } ln || !double.IsFinite(la) || !double.IsFinite(ln))
                return HttpProblems.BadRequest("lat and lng are required: degrees (WGS 84)");
            var point = new GeoPoint(la, ln);
            if (!Jeju.Contains(point)) return HttpProblems.Create(StatusCodes.Status422UnprocessableEntity, QnaErrors.OutsideJeju, "the location is outside Jeju");
            if (Nearby.Problem(radius_m, limit, offset) is { } problem) return HttpProblems.BadRequest(problem);
            return TypedResults.Json(await nearby.FindAsync(point.Rounded(), radius_m, limit, offset, ct), QnaJson.Default.NearbyReply);
        }).WithName("QnaNearbyQuestions");
        api.MapGet("/questions/{id}", async Task<Results<JsonHttpResult<QuestionReply>, ProblemHttpResult>> (HttpContext http, QnaStore store,
            string id, CancellationToken ct) =>
        {
            if (Forbidden(http) is { } forbidden) return forbidden;
            return await QuestionReplies.BuildAsync(store, id, ct) is { } reply
                ? TypedResults.Json(reply, QnaJson.Default.QuestionReply)
                : HttpProblems.Create(StatusCodes.Status404NotFound, QnaErrors.NotFound, "no such question");
        }).WithName("QnaQuestion");

        var admin = api.MapGroup("/admin").RequireAuthorization(HeartlinePolicies.Administrator);
        admin.MapGet("/overview", async Task<Results<JsonHttpResult<QnaOverview>, ProblemHttpResult>> (QnaStore store, WebPushSender webPush,
            TimeProvider time, IOptions<QnaOptions> options, int? hours, CancellationToken ct) =>
        {
            if (hours is < 1 or > 24 * 31) return HttpProblems.BadRequest("hours is 1–744");
            return TypedResults.Json(await Overview.BuildAsync(store, webPush, time, options.Value, hours ?? 24, ct), QnaJson.Default.QnaOverview);
        }).WithName("QnaOverview");
        admin.MapGet("/questions/{id}/delivery", async (QnaStore store, string id, CancellationToken ct) =>
        {
            var notified = await store.NotifiedAsync(id, ct);
            var jobs = await store.JobsOfAsync(id, ct);
            return TypedResults.Json(new DeliveryReport(id, [.. notified.Select(n => new NotifiedView(n.UserId, n.Tier))],
                [.. jobs.Select(j => new JobView(j.Tier, j.DoneAt, j.Outcome, j.Attempts))]), QnaJson.Default.DeliveryReport);
        }).WithName("QnaDeliveryReport");
        admin.MapGet("/blocks", async (QnaGuard guard, CancellationToken ct) =>
            TypedResults.Json((await guard.ReloadListAsync(ct)).Select(b => new BlockView(b.Kind, b.Value)).ToArray(), QnaJson.Default.BlockViewArray))
            .WithName("QnaBlocks");
        admin.MapPut("/blocks/{kind}/{value}", async Task<Results<NoContent, ProblemHttpResult>> (HttpContext http, QnaStore store, QnaGuard guard,
            IEventLog events, TimeProvider time, string kind, string value, BlockBody? body, CancellationToken ct) =>
        {
            if (BlockProblem(kind, value) is { } problem) return HttpProblems.BadRequest(problem);
            var by = http.GetPrincipal().SubjectId;
            await store.AddBlockAsync(kind, value, body?.Reason ?? "", by, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            await guard.ReloadListAsync(ct);
            events.Enqueue(new EventRecord(0, "qna.blocked", "qna", null, by, time.GetUtcNow().ToUnixTimeMilliseconds(),
                JsonSerializer.Serialize(new BlockEvent(kind, value, body?.Reason), QnaJson.Default.BlockEvent)));
            return TypedResults.NoContent();
        }).WithName("QnaBlock");
        admin.MapDelete("/blocks/{kind}/{value}", async Task<Results<NoContent, ProblemHttpResult>> (HttpContext http, QnaStore store, QnaGuard guard,
            IEventLog events, TimeProvider time, string kind, string value, CancellationToken ct) =>
        {
            if (BlockProblem(kind, value) is { } problem) return HttpProblems.BadRequest(problem);
            if (await store.RemoveBlockAsync(kind, value, ct) == 0) return HttpProblems.NotFound("not blocked");
            await guard.ReloadListAsync(ct);
            events.Enqueue(new EventRecord(0, "qna.unblocked", "qna", null, http.GetPrincipal().SubjectId, time.GetUtcNow().ToUnixTimeMilliseconds(),
                JsonSerializer.Serialize(new BlockEvent(kind, value, null), QnaJson.Default.BlockEvent)));
            return TypedResults.NoContent();
        }).WithName("QnaUnblock");
    }

    private static ProblemHttpResult? Forbidden(HttpContext http) =>
        QnaPermissions.CanUse(http.GetPrincipal()) ? null : HttpProblems.Forbidden("Q&A needs the qna_user role");

    private static string? BlockProblem(string kind, string value) =>
        kind is not (BlockKinds.User or BlockKinds.Address) ? "kind is user or address"
        : value.Length is 0 or > 128 ? "value is 1–128 characters" : null;
}
