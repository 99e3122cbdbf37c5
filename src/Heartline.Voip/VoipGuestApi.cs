using System.Security.Cryptography;
using System.Text;
using Heartline.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary><c>/api/voip</c>: guest admission, ICE servers, call records and statistics (docs/voip.md).</summary>
internal static class VoipGuestApi
{
    public const string AdmissionPolicy = "voip-admission";

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/guests", AdmitAsync).RequireRateLimiting(AdmissionPolicy).AllowAnonymous()
            .WithName("AdmitVoipGuest").WithSummary("Admits an anonymous guest: its id and a guest token.");
        group.MapGet("/ice-servers", IceServers).RequireAuthorization()
            .WithName("GetVoipIceServers").WithSummary("STUN and TURN servers with time-limited TURN credentials for the caller.");
        group.MapGet("/calls", CallsAsync).RequireAuthorization()
            .WithName("GetVoipCalls").WithSummary("The caller's call records, newest first (an administrator may name a party).");
        group.MapGet("/stats", StatsAsync).RequireAuthorization(HeartlinePolicies.Administrator)
            .WithName("GetVoipStats").WithSummary("Guests by state and calls (admin only).");
    }

    private static async Task<Results<Created<AdmitResponse>, ProblemHttpResult>> AdmitAsync(AdmitRequest? request, GuestStore store,
        ITokenIssuer tokens, VoipMetrics metrics, IOptions<VoipOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (GuestNames.Normalize(request?.Name) is not { } name)
            return HttpProblems.BadRequest($"name must have 1-{GuestNames.MaxNameLength} characters without control characters");
        var tenant = request!.Tenant ?? o.DefaultTenant;
        if (!GuestNames.IsTenant(tenant)) return HttpProblems.BadRequest("tenant is not a tenant id");
        if (o.InvitationCodes.TryGetValue(tenant, out var code) && !Matches(request.Invitation, code))
            return HttpProblems.Create(StatusCodes.Status403Forbidden, VoipErrors.InvitationRequired, "this tenant admits guests with its invitation code");
        var now = time.GetUtcNow();
        var guestId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await store.AddAsync(new GuestRow(guestId, tenant, name, 1, now.ToUnixTimeMilliseconds(), null, null, null), cancellationToken)
            .ConfigureAwait(false);
        var lifetime = TimeSpan.FromSeconds(o.GuestTokenLifetimeSeconds);
        var token = tokens.Mint(guestId, name, [VoipParties.GuestRole], null, lifetime, PrincipalKind.Guest, tenant);
        metrics.Admitted();
        return TypedResults.Created($"/api/voip/guests/{guestId}",
            new AdmitResponse(guestId, name, tenant, token, (now + lifetime).ToUnixTimeMilliseconds()));
    }

    private static Results<Ok<IceServersResponse>, ProblemHttpResult> IceServers(HttpContext http, IOptions<VoipOptions> options,
        TimeProvider time)
    {
        var principal = http.GetPrincipal();
        if (!VoipParties.IsParty(principal)) return HttpProblems.Forbidden("ICE servers are for guests and VoIP users");
        var ice = options.Value.Ice;
        var servers = new List<IceServer>(2);
        if (ice.StunUrls.Count > 0) servers.Add(new IceServer(ice.StunUrls));
        if (ice.TurnUrls.Count > 0)
        {
            var expires = time.GetUtcNow().ToUnixTimeSeconds() + ice.TurnCredentialSeconds;
            var (username, credential) = TurnCredentials.For(principal.SubjectId, expires, ice.TurnSecret!);
            servers.Add(new IceServer(ice.TurnUrls, username, credential));
        }
        return TypedResults.Ok(new IceServersResponse(servers, ice.TurnCredentialSeconds));
    }

    private static async Task<Results<Ok<CallRecordsResponse>, ProblemHttpResult>> CallsAsync(HttpContext http, GuestStore store,
        string? party, int? limit, CancellationToken cancellationToken)
    {
        var principal = http.GetPrincipal();
        party ??= principal.SubjectId;
        // A party reads its own records; an administrator reads anyone's.
        if (!principal.IsAdministrator && (party != principal.SubjectId || !VoipParties.IsParty(principal)))
            return HttpProblems.Forbidden("a party reads its own call records; administrators read anyone's");
        return TypedResults.Ok(new CallRecordsResponse(await store.CallsOfAsync(party, Math.Clamp(limit ?? 50, 1, 500), cancellationToken)
            .ConfigureAwait(false)));
    }

    private static async Task<Ok<VoipStats>> StatsAsync(VoipStatistics statistics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await statistics.RefreshAsync(cancellationToken).ConfigureAwait(false));

    private static bool Matches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
