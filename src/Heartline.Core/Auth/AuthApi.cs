using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Auth;

internal sealed record DevTokenRequest(string? UserId, string? Name, string? Role, string? RegionId, string? OfficeId, int? TtlSeconds);

internal sealed record DevTokenResponse(string Token, long ExpiresAt);

/// <summary><c>POST /api/auth/dev-token</c>: mints tokens in Development and tests only.</summary>
internal static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/dev-token", MintDevToken)
            .WithName("MintDevToken")
            .WithSummary("Mint a development token (Development and Testing environments only).")
            .AllowAnonymous();
        return app;
    }

    private static Results<Ok<DevTokenResponse>, ProblemHttpResult, NotFound> MintDevToken(
        DevTokenRequest request, TokenService tokens, IHostEnvironment environment,
        Microsoft.Extensions.Options.IOptions<AuthOptions> options, TimeProvider time)
    {
        var enabled = options.Value.DevTokensEnabled ?? AuthOptionsValidator.IsRelaxedEnvironment(environment);
        if (!enabled) return TypedResults.NotFound();
        var ttl = request.TtlSeconds ?? options.Value.DevTokenLifetimeSeconds;
        string? problem = null;
        if (!TokenService.IsId(request.UserId, allowUnderscore: true)) problem = "user_id: 1-64 of A-Z a-z 0-9 - . @ _";
        else if (request.Role is null || !Roles.All.Contains(request.Role)) problem = "role: one of " + string.Join(", ", Roles.All);
        else if (!TokenService.IsId(request.RegionId)) problem = "region_id: 1-64 of A-Z a-z 0-9 - . @";
        else if (!TokenService.IsId(request.OfficeId)) problem = "office_id: 1-64 of A-Z a-z 0-9 - . @";
        else if (request.Name is { Length: > 64 }) problem = "name: at most 64 characters";
        else if (ttl is < 1 or > 7 * 24 * 3600) problem = "ttl_seconds: 1 to 604800";
        if (problem is not null)
            return HttpProblems.BadRequest(problem);
        var lifetime = TimeSpan.FromSeconds(ttl);
        var token = tokens.Mint(request.UserId!, request.Name ?? request.UserId!, request.Role!, request.RegionId!, request.OfficeId!, lifetime);
        return TypedResults.Ok(new DevTokenResponse(token, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()));
    }
}

/// <summary>HTTP errors carry the same stable codes as the WebSocket protocol, as <c>code</c> in a problem document.</summary>
internal static class HttpProblems
{
    public static ProblemHttpResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, detail);

    public static ProblemHttpResult Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, detail);

    public static ProblemHttpResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: code,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
