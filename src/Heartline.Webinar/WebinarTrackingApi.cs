using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>
/// <c>access/track</c>, <c>access/exit</c> and <c>presence/ping</c>: open to guests and signed-in users alike. A guest
/// gets a server-signed <c>viewer_token</c> from its first track; a session key belongs to the viewer who opened it.
/// </summary>
internal static class WebinarTrackingApi
{
    /// <summary>The per-address limit on track and ping (<see cref="WebinarOptions.RequestRatePerIp"/>).</summary>
    public const string RatePolicy = "webinar-requests";

    public static void Map(RouteGroupBuilder webinars)
    {
        var group = webinars.MapGroup("").AddEndpointFilter(RefuseWhenOverloadedAsync);
        group.MapPost("/{id}/access/track", TrackAsync)
            .RequireRateLimiting(RatePolicy)
            .WithName("TrackWebinarAccess")
            .WithSummary("Enter a webinar: creates the session of a session key, or resumes it after a reload.")
            .Accepts<TrackRequest>("application/json", "text/plain")
            .AllowAnonymous();
        group.MapPost("/{id}/access/exit", ExitAsync)
            .WithName("ExitWebinarAccess")
            .WithSummary("Leave a webinar (navigator.sendBeacon: text/plain or JSON). Idempotent.")
            .Accepts<ExitRequest>("application/json", "text/plain")
            .AllowAnonymous();
        group.MapPost("/{id}/presence/ping", PingAsync)
            .RequireRateLimiting(RatePolicy)
            .WithName("PingWebinarPresence")
            .WithSummary("Heartbeat. Without session_key only live presence is refreshed (older clients).")
            .Accepts<PingRequest>("application/json", "text/plain")
            .AllowAnonymous();
    }

    private static async Task<Results<Ok<TrackResponse>, ProblemHttpResult>> TrackAsync(
        string id, HttpContext context, WebinarTracker tracker, GuestTokens guests, IOptions<WebinarOptions> options)
    {
        if (!WebinarRequests.IsWebinarId(id)) return WebinarRequests.WebinarNotFound();
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context, new TrackRequest(null, null, null, null));
        if (problem is not null) return problem;
        if (WebinarRequests.CheckSessionKey(request!.SessionKey) is { } badKey) return badKey;
        var (viewer, refused) = WebinarRequests.ResolveViewer(context, request.ViewerToken, guests);
        if (refused is not null) return refused;
        string? newToken = null;
        if (viewer is null)
        {
            var (guestId, token) = guests.Mint();
            viewer = Viewer.Guest(guestId);
            newToken = token;
        }

        var result = await tracker.TrackAsync(id, viewer, request.SessionKey!, request.ViewState?.IsVisible ?? true,
            WebinarRequests.Client(context, request.Referrer), context.RequestAborted);
        if (Refusal(result, request.SessionKey!) is { } refusal) return refusal;
        var session = result.Decision!.Session!;
        var w = result.Webinar!;
        return TypedResults.Ok(new TrackResponse(session.SessionId,
            result.Decision.Status == SessionStatus.Created ? "created" : "resumed", newToken,
            WebinarView.Time(session.EnteredAt), options.Value.HeartbeatIntervalSeconds,
            WebinarView.Time(w.ContentFrom), WebinarView.Time(w.ContentTo), WebinarView.Time(w.CollectTo)));
    }

    private static async Task<Results<Ok<PingResponse>, ProblemHttpResult>> PingAsync(
        string id, HttpContext context, WebinarTracker tracker, GuestTokens guests, IOptions<WebinarOptions> options)
    {
        if (!WebinarRequests.IsWebinarId(id)) return WebinarRequests.WebinarNotFound();
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context, new PingRequest(null, null, null));
        if (problem is not null) return problem;
        var (viewer, refused) = WebinarRequests.ResolveViewer(context, request!.ViewerToken, guests);
        if (refused is not null) return refused;
        var visible = request.ViewState?.IsVisible ?? true;
        var interval = options.Value.HeartbeatIntervalSeconds;

        if (request.SessionKey is null)
        {
            // Old clients: live presence only, as before. An anonymous old client counts once per address and agent.
            viewer ??= Viewer.Guest("anon-" + AnonymousId(context));
            var (webinar, collecting) = await tracker.PingPresenceAsync(id, viewer, visible, context.RequestAborted);
            return webinar is null ? WebinarRequests.WebinarNotFound() : TypedResults.Ok(new PingResponse(collecting, interval, null));
        }

        if (WebinarRequests.CheckSessionKey(request.SessionKey) is { } badKey) return badKey;
        if (viewer is null)
            return WebinarRequests.Unauthorized("a session_key needs the viewer_token that track returned, or a bearer token");
        var result = await tracker.PingAsync(id, viewer, request.SessionKey, visible,
            WebinarRequests.Client(context, null), context.RequestAborted);
        if (result.Decision?.Status == SessionStatus.WebinarClosed)
            return TypedResults.Ok(new PingResponse(false, interval, null));
        if (Refusal(result, request.SessionKey) is { } refusal) return refusal;
        var session = result.Decision!.Session!;
        return TypedResults.Ok(new PingResponse(true, interval, new SessionView(session.SessionId,
            result.Decision.Status == SessionStatus.Created ? "created" : "open", WebinarView.Time(session.EnteredAt),
            WebinarView.Time(session.LastHeartbeatAt), Math.Round(session.WatchedSecondsRaw, 3))));
    }

    private static async Task<Results<Ok<ExitResponse>, ProblemHttpResult>> ExitAsync(
        string id, HttpContext context, WebinarTracker tracker, GuestTokens guests, IWebinarStore store)
    {
        if (!WebinarRequests.IsWebinarId(id)) return WebinarRequests.WebinarNotFound();
        var (request, problem) = await WebinarRequests.ReadJsonAsync(context, new ExitRequest(null, null));
        if (problem is not null) return problem;
        if (WebinarRequests.CheckSessionKey(request!.SessionKey) is { } badKey) return badKey;
        var (viewer, refused) = WebinarRequests.ResolveViewer(context, request.ViewerToken, guests);
        if (refused is not null) return refused;
        if (viewer is null)
            return WebinarRequests.Unauthorized("exit needs the viewer_token that track returned, or a bearer token");

        var result = await tracker.ExitAsync(id, viewer, request.SessionKey!, context.RequestAborted);
        var status = result.Decision?.Status;
        if (status is SessionStatus.Exited or SessionStatus.TimedOut)
        {
            var closed = result.Decision!.Session!;
            return TypedResults.Ok(new ExitResponse(closed.SessionId, status == SessionStatus.Exited ? "exited" : "timeout",
                WebinarView.Time(closed.ExitedAt!.Value), closed.ClosedReason));
        }
        if (status == SessionStatus.AlreadyClosed)
        {
            // Idempotent: a repeated exit (beacon plus fetch fallback, two tabs' pagehide) answers as the first did.
            var row = await store.GetSessionAsync(id, request.SessionKey!, context.RequestAborted);
            return TypedResults.Ok(new ExitResponse(request.SessionKey!, "already_closed",
                row?.ExitedAt is { } exited ? WebinarView.Time(exited) : null, row?.ClosedReason));
        }
        return Refusal(result, request.SessionKey!) ?? HttpProblems.NotFound("no session has this session_key");
    }

    /// <summary>
    /// A full heartbeat queue answers 503 <c>unavailable</c> with Retry-After; the module pings again later. Exits have
    /// headroom beyond the heartbeats' limit (<see cref="SqlWebinarStore.ExitHeadroom"/>), since beacons are not retried.
    /// </summary>
    private static async ValueTask<object?> RefuseWhenOverloadedAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (WebinarOverloadedException)
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return HttpProblems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                "too many heartbeats queued; retry in a few seconds");
        }
    }

    /// <summary>The problem document for a refused change, or null when the change went through.</summary>
    private static ProblemHttpResult? Refusal(SessionChangeResult result, string sessionKey) => result.Decision?.Status switch
    {
        null => WebinarRequests.WebinarNotFound(),
        SessionStatus.Taken => HttpProblems.Create(StatusCodes.Status403Forbidden, WebinarErrors.SessionKeyTaken,
            "this session_key belongs to another viewer; make a new one"),
        SessionStatus.Closed or SessionStatus.TimedOut => HttpProblems.Create(StatusCodes.Status409Conflict,
            WebinarErrors.SessionClosed, $"session {sessionKey} is closed; make a new session_key and track again"),
        SessionStatus.WebinarClosed => HttpProblems.Create(StatusCodes.Status409Conflict, WebinarErrors.WebinarClosed,
            "the webinar's collection window is over"),
        SessionStatus.NotFound => HttpProblems.NotFound("no session has this session_key"),
        _ => null,
    };

    private static string AnonymousId(HttpContext context)
    {
        var source = $"{context.Connection.RemoteIpAddress}|{context.Request.Headers.UserAgent}";
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..32];
    }
}
