using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

/// <summary>Token settings, bound from the <c>Auth</c> configuration section.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The key that only the Development environment may use. Outside Development the server refuses to start with
    /// it, so a deployment can never run on a key that is public in this repository.
    /// </summary>
    public const string DevelopmentSigningKey = "heartline-development-signing-key-do-not-use-in-production";

    /// <summary>HS256 signing key, at least 32 bytes of UTF-8. Default: the development key (Development only).</summary>
    public string SigningKey { get; set; } = DevelopmentSigningKey;

    /// <summary>Expected <c>iss</c>. Default: <c>heartline</c>.</summary>
    [Required] public string Issuer { get; set; } = "heartline";

    /// <summary>Expected <c>aud</c>. Default: <c>heartline</c>.</summary>
    [Required] public string Audience { get; set; } = "heartline";

    /// <summary>Allowed clock skew when checking expiry. Default: 30 seconds.</summary>
    [Range(0, 600)] public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Whether <c>POST /api/auth/dev-token</c> mints tokens. Default: only in the Development and Testing
    /// environments; setting it to true elsewhere is refused at startup.
    /// </summary>
    public bool? DevTokensEnabled { get; set; }

    /// <summary>Lifetime of a development token when the request names none. Default: 12 hours.</summary>
    [Range(60, 7 * 24 * 3600)] public int DevTokenLifetimeSeconds { get; set; } = 12 * 3600;

    /// <summary>An outside identity provider whose tokens are accepted too (off unless its issuer is set).</summary>
    [ValidateObjectMembers] public ExternalIssuerOptions External { get; set; } = new();
}

/// <summary>
/// <c>Auth:External</c>: tokens of an OpenID Connect issuer (Firebase Auth, Keycloak, …) validated by the issuer's
/// published keys (JWKS, RS256 or ES256) and mapped to a Heartline principal by the claim names configured here
/// (docs/accounts.md, "Your own identity provider").
/// </summary>
internal sealed class ExternalIssuerOptions
{
    /// <summary>The tokens' <c>iss</c>. Setting it turns the external issuer on. Default: unset.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c> (Firebase: the project id; Keycloak: the client id). Required with an issuer.</summary>
    public string? Audience { get; set; }

    /// <summary>Where the issuer publishes its keys (a JWKS document). Required with an issuer.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Whether the JWKS must be fetched over https. Default: true (false only for tests on loopback).</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>How often the keys are fetched again. Default: 60 minutes.</summary>
    [Range(1, 24 * 60)] public int KeyRefreshMinutes { get; set; } = 60;

    /// <summary>Soonest the keys are fetched again after a token named a key not known yet (a rotation). Default: 30 seconds.</summary>
    [Range(1, 3600)] public int KeyRetrySeconds { get; set; } = 30;

    /// <summary>The claim holding the user id. Default: <c>sub</c> (Firebase's <c>user_id</c> is the same value).</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>The claim holding the display name. Default: <c>name</c>.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>
    /// The claim holding the roles: a string (several separated by spaces or commas) or an array; a dotted path reads
    /// into objects (Keycloak: <c>realm_access.roles</c>). Roles no module declares are ignored. Default: <c>roles</c>.
    /// </summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>Roles given when the token names none that is declared (Firebase tokens carry none). Default: none (refused).</summary>
    public string[] DefaultRoles { get; set; } = [];

    /// <summary>The claim holding the tenant, if any (a dotted path). Default: unset.</summary>
    public string? TenantClaim { get; set; }

    /// <summary>
    /// Module claims and the token claims (dotted paths) they come from, e.g. <c>office</c> → <c>officeId</c>,
    /// <c>region</c> → <c>regionId</c> for Firebase custom claims. Default: none.
    /// </summary>
    public Dictionary<string, string> Claims { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}
