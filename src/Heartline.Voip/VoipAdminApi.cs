using System.Globalization;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Voip;

/// <summary>
/// The seed's purge endpoints, administrators only. <c>/auth/guest/*</c> removes guest identities (their tokens stop
/// working, connected ones are closed with <c>4503 revoked</c>, their calls end with <c>removed</c>); <c>/guests/*</c>
/// removes what is kept about guests' calls (ended call records), never a live guest or an ongoing call. docs/voip.md.
/// </summary>
internal static class VoipAdminApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/auth/guest").RequireAuthorization(HeartlinePolicies.Administrator).WithTags("VoIP admin");
        auth.MapDelete("/cleanup-all", (HttpContext http, GuestPurge purge, CancellationToken ct) =>
            purge.RunAsync(http, "cleanup-all", s => s.RemoveAllGuestsAsync(ct), ct)).WithName("RemoveAllVoipGuests");
        auth.MapDelete("/cleanup", async Task<Results<Ok<RemovedResponse>, ProblemHttpResult>> (HttpContext http, GuestPurge purge,
            string? before, CancellationToken ct) =>
        {
            if (ParseTime(before) is not { } cutoff) return HttpProblems.BadRequest("before must be an ISO 8601 time with an offset, e.g. 2024-01-01T00:00:00Z");
            return TypedResults.Ok(await purge.RunAsync(http, "cleanup before " + before, s => s.RemoveStaleGuestsAsync(cutoff, ct), ct));
        }).WithName("RemoveStaleVoipGuests");
        auth.MapDelete("/{guestId}", async Task<Results<Ok<RemovedResponse>, ProblemHttpResult>> (HttpContext http, GuestPurge purge,
            string guestId, CancellationToken ct) =>
        {
            var result = await purge.RunAsync(http, "one", s => s.RemoveGuestAsync(guestId, ct), ct);
            return result.Removed == 0 ? HttpProblems.NotFound("no such guest") : TypedResults.Ok(result);
        }).WithName("RemoveVoipGuest");

        var records = endpoints.MapGroup("/guests").RequireAuthorization(HeartlinePolicies.Administrator).WithTags("VoIP admin");
        records.MapDelete("/cleanup-all", async (GuestStore store, CancellationToken ct) =>
            TypedResults.Ok(new RemovedResponse(await store.RemoveCallRecordsAsync(null, ct), 0))).WithName("RemoveAllVoipCallRecords");
        records.MapDelete("/cleanup", async Task<Results<Ok<RemovedResponse>, ProblemHttpResult>> (GuestStore store, string? before,
            CancellationToken ct) =>
        {
            if (ParseTime(before) is not { } cutoff) return HttpProblems.BadRequest("before must be an ISO 8601 time with an offset, e.g. 2024-01-01T00:00:00Z");
            return TypedResults.Ok(new RemovedResponse(await store.RemoveCallRecordsAsync(cutoff, ct), 0));
        }).WithName("RemoveOldVoipCallRecords");
    }

    /// <summary>An ISO 8601 time; one without an offset is taken as UTC.</summary>
    private static long? ParseTime(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUnixTimeMilliseconds()
            : null;
}

/// <summary>Removes guest identities and lets go of what they held: their connections here, their calls, an event with who did it.</summary>
internal sealed class GuestPurge(GuestStore store, GuestSessions sessions, CallControl calls, IEventLog events, TimeProvider time,
    ILogger<GuestPurge> logger)
{
    public async Task<RemovedResponse> RunAsync(HttpContext http, string how, Func<GuestStore, Task<IReadOnlyList<string>>> remove,
        CancellationToken cancellationToken)
    {
        var removed = await remove(store).ConfigureAwait(false);
        var disconnected = 0;
        foreach (var guest in removed)
        {
            foreach (var session in sessions.OfParty(guest))
            {
                session.Connection.Close(CloseCodes.Revoked, "this guest was removed");
                disconnected++;
            }
        }
        await calls.EndCallsOfAsync(removed, CallEndReasons.Removed, cancellationToken).ConfigureAwait(false);
        var by = http.GetPrincipal().SubjectId;
        // One event per purge (a purge may remove 100,000 guests), naming the guest when it removed one.
        events.Enqueue(new EventRecord(0, "voip.guests_removed", "voip", null, removed.Count == 1 ? removed[0] : null,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            JsonSerializer.Serialize(new GuestRemovedMetadata(by, how, removed.Count), VoipJson.Default.GuestRemovedMetadata)));
        VoipLog.GuestsRemoved(logger, by, how, removed.Count, disconnected);
        return new RemovedResponse(removed.Count, disconnected);
    }
}
