using Microsoft.AspNetCore.Mvc;
using Heartline.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Events;

/// <summary>One event as the HTTP API returns it; <c>metadata</c> is the stored JSON object as a string.</summary>
public sealed record EventRecordDto(long Id, string Type, string Scope, string? SessionId, string? UserId, long Time, string? Metadata);

/// <summary>
/// A page of events; pass <c>next_after</c> as <c>after</c> (oldest first) or <c>next_before</c> as <c>before</c> (newest
/// first) for the next page. Both are always present: null on the last page and for the other order.
/// </summary>
public sealed record EventsResponse(IReadOnlyList<EventRecordDto> Items, long? NextAfter, long? NextBefore = null);

/// <summary><c>GET /api/admin/events</c>: the durable event log of every module, for admins.</summary>
public static class EventsApi
{
    internal static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/events", GetEvents)
            .WithName("GetEvents")
            .WithSummary("Query the durable event log by scope, type and time range, paged (admin only).")
            .RequireAuthorization(AuthServiceCollectionExtensions.AdminPolicy);
        return app;
    }

    public static async Task<EventsResponse> PageAsync(IEventLog events, EventQuery query, CancellationToken cancellationToken)
    {
        var page = await events.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        return new EventsResponse([.. page.Items.Select(e => new EventRecordDto(e.Id, e.Type, e.Scope, e.SessionId, e.UserId, e.Time, e.Metadata))],
            page.NextAfterId, page.NextBeforeId);
    }

    private static async Task<Results<Ok<EventsResponse>, ProblemHttpResult>> GetEvents(IEventLog events, string? scope, string? type,
        long? from, long? to, long? after, int? limit, [FromQuery(Name = "session_id")] string? sessionId, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return HttpProblems.BadRequest("limit: 1 to 1000");
        if (type is { Length: > 64 } || scope is { Length: > 200 } || sessionId is { Length: > MaxSessionIdLength })
            return HttpProblems.BadRequest("type, scope or session_id too long");
        return TypedResults.Ok(await PageAsync(events, new EventQuery(scope, from, to, type, after, limit ?? 100, SessionId: sessionId), cancellationToken)
            .ConfigureAwait(false));
    }

    /// <summary>The longest session id a query may name (the ids modules make are far shorter).</summary>
    public const int MaxSessionIdLength = 128;
}
