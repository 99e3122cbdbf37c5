using System.Text.Json;
using System.Text.Json.Nodes;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

internal sealed record DevTokenResponse(string Token, long ExpiresAt);

/// <summary>
/// <c>POST /api/auth/dev-token</c>: mints tokens in Development and tests only. The body names the subject
/// (<c>user_id</c>), <c>name</c>, <c>role</c> or <c>roles</c> (declared ones), <c>kind</c>, <c>tenant</c>, the module
/// claims in <c>claims</c> (or at the top level under a claim's request alias, as push-to-talk's <c>region_id</c> and
/// <c>office_id</c>) and <c>ttl_seconds</c>.
/// </summary>
internal static class AuthApi
{
    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/dev-token", MintDevToken)
            .WithName("MintDevToken")
            .WithSummary("Mint a development token (Development and Testing environments only).")
            .AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<DevTokenResponse>, ProblemHttpResult, NotFound>> MintDevToken(
        HttpRequest request, TokenIssuer tokens, IdentityCatalog catalog, IHostEnvironment environment,
        IOptions<AuthOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var enabled = options.Value.DevTokensEnabled ?? AuthOptionsValidator.IsRelaxedEnvironment(environment);
        if (!enabled) return TypedResults.NotFound();
        if (request.ContentLength > MaxBodyBytes) return HttpProblems.BadRequest($"the body is larger than {MaxBodyBytes} bytes");
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException ex)
        {
            return HttpProblems.BadRequest("the body is not JSON: " + ex.Message);
        }
        if (body is null) return HttpProblems.BadRequest("the body must be a JSON object");
        if (Read(body, catalog, options.Value, out var minted) is { } problem) return HttpProblems.BadRequest(problem);
        var lifetime = TimeSpan.FromSeconds(minted.Ttl);
        var token = tokens.Mint(minted.UserId, minted.Name, minted.Roles, minted.Claims, lifetime, minted.Kind, minted.Tenant);
        return TypedResults.Ok(new DevTokenResponse(token, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()));
    }

    private sealed record DevToken(string UserId, string Name, IReadOnlyList<string> Roles, PrincipalKind? Kind, string? Tenant,
        Dictionary<string, string> Claims, int Ttl);

    /// <summary>The token the body asks for, or the reason it is refused.</summary>
    private static string? Read(JsonObject body, IdentityCatalog catalog, AuthOptions options, out DevToken token)
    {
        token = null!;
        var userId = Text(body, "user_id");
        if (!Identifiers.IsId(userId, allowUnderscore: true)) return "user_id: 1-64 of A-Z a-z 0-9 - . @ _";
        var name = Text(body, "name") ?? userId!;
        if (name.Length > 64) return "name: at most 64 characters";
        List<string> roles = [];
        if (body["roles"] is JsonArray array)
        {
            foreach (var item in array) roles.Add(item is JsonValue v && v.TryGetValue<string>(out var r) ? r : "");
        }
        else if (Text(body, "role") is { } role) roles.Add(role);
        if (catalog.RolesProblem(roles) is { } badRoles) return badRoles;
        PrincipalKind? kind = Text(body, "kind") switch
        {
            null => null,
            "user" => PrincipalKind.User,
            "guest" => PrincipalKind.Guest,
            "service" => PrincipalKind.Service,
            _ => (PrincipalKind)(-1),
        };
        if (kind < 0) return "kind: user, guest or service";
        var tenant = Text(body, "tenant");
        if (tenant is not null && !Identifiers.IsId(tenant, allowUnderscore: true)) return "tenant: 1-64 of A-Z a-z 0-9 - . @ _";
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["claims"] is JsonObject given)
        {
            foreach (var (claim, value) in given)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) return $"claims.{claim}: a string";
                claims[claim] = text;
            }
        }
        foreach (var definition in catalog.Claims.Values)
        {
            if (definition.RequestAlias is { } alias && Text(body, alias) is { } value) claims.TryAdd(definition.Name, value);
        }
        if (catalog.ClaimsProblem(claims) is { } badClaims) return badClaims;
        var ttl = body["ttl_seconds"] is JsonValue t && t.TryGetValue<int>(out var seconds) ? seconds : options.DevTokenLifetimeSeconds;
        if (ttl is < 1 or > 7 * 24 * 3600) return "ttl_seconds: 1 to 604800";
        token = new DevToken(userId!, name, roles, kind, tenant, claims, ttl);
        return null;
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
