using System.Security.Claims;
using System.Text.Encodings.Web;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

/// <summary>
/// Validates <c>Authorization: Bearer</c> with the same <see cref="TokenService"/> as WebSocket <c>connect</c>
/// (the JwtBearer package is not available to us; this handler is the small piece we write instead). Its 401 and 403
/// answers are problem documents with a catalog <c>code</c>, like every other error of the API.
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
        // The failure message is the catalog code; the challenge below answers with it.
        if (validation.User is not { } user) return AuthenticateResult.Fail(validation.ErrorCode ?? ErrorCodes.Unauthorized);
        Context.Items[UserItem] = user;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.UserId),
            new Claim(ClaimTypes.Name, user.Name),
            new Claim(ClaimTypes.Role, user.Role),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3): no error attribute when no bearer token was sent,
    /// <c>error="invalid_token"</c> when one was sent and did not validate. An expired token keeps the WebSocket's
    /// <c>token_expired</c> code, so a client refreshes its token instead of asking for new credentials.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false)).Failure;
        var expired = failure?.Message == ErrorCodes.TokenExpired;
        Response.Headers.WWWAuthenticate = failure is null ? SchemeName
            : $"{SchemeName} error=\"invalid_token\", error_description=\"{(expired ? "token expired" : "invalid token")}\"";
        var problem = failure is null
            ? HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "bearer token required / 인증 토큰이 필요합니다")
            : expired
                ? HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.TokenExpired, "token expired / 토큰이 만료되었습니다")
                : HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "invalid token / 유효하지 않은 토큰");
        await problem.ExecuteAsync(Context).ConfigureAwait(false);
    }

    /// <summary>403: the token is valid but its role does not meet the endpoint's policy (the admin endpoints).</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        HttpProblems.Forbidden("not allowed for this role / 이 역할에는 권한이 없습니다").ExecuteAsync(Context);

    /// <summary>The user of an authenticated request.</summary>
    public static HeartlineUser UserOf(HttpContext context) =>
        context.Items[UserItem] as HeartlineUser ?? throw new InvalidOperationException("request is not authenticated");
}
