using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Heartline.Server.Auth;

/// <summary>
/// Validates <c>Authorization: Bearer</c> with the same <see cref="TokenService"/> as WebSocket <c>connect</c>
/// (the JwtBearer package is not available to us; this handler is the small piece we write instead).
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string UserItem = "heartline.user";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var validation = await tokens.ValidateAsync(header["Bearer ".Length..].Trim()).ConfigureAwait(false);
        if (validation.User is not { } user) return AuthenticateResult.Fail(validation.ErrorCode ?? "unauthorized");
        Context.Items[UserItem] = user;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.UserId),
            new Claim(ClaimTypes.Name, user.Name),
            new Claim(ClaimTypes.Role, user.Role),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The user of an authenticated request.</summary>
    public static HeartlineUser UserOf(HttpContext context) =>
        context.Items[UserItem] as HeartlineUser ?? throw new InvalidOperationException("request is not authenticated");
}
