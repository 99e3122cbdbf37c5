using System.Security.Claims;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>Result of validating a token: a principal, or the error code to answer with.</summary>
internal readonly record struct TokenValidation(Principal? Principal, ErrorCode? Error, string? Detail);

/// <summary>
/// Turns a validated token into a <see cref="Principal"/>: for WebSocket <c>connect</c> (which validates the token
/// here) and for HTTP, where JwtBearer validates it with the same <see cref="TokenParameters"/> and hands its claims
/// to <see cref="FromClaims"/>. Every role must be declared by a module, every declared claim must follow its rule.
/// </summary>
internal sealed class TokenValidator(TokenParameters parameters, IdentityCatalog catalog, ExternalIssuer external)
{
    /// <summary>Longest token accepted: a larger one is refused before any parsing.</summary>
    public const int MaxTokenLength = 8192;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>
    /// Until when a validated token is honoured: its expiry plus the clock skew that validation allows, so that a
    /// connection accepted at the edge of the skew is not closed the moment it opens.
    /// </summary>
    public DateTimeOffset ValidUntil(Principal principal) => principal.ExpiresAt + parameters.ClockSkew;

    public async Task<TokenValidation> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenLength)
            return new(null, ErrorCodes.Unauthorized, "token missing or too long");
        // A token of the outside identity provider (Auth:External) is checked with its keys and its claims mapped.
        var fromExternal = external.Issued(token);
        var result = fromExternal
            ? await external.ValidateAsync(_handler, token).ConfigureAwait(false)
            : await _handler.ValidateTokenAsync(token, parameters.Validation).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result.Exception is SecurityTokenExpiredException
                ? new(null, ErrorCodes.TokenExpired, "token expired")
                : new(null, ErrorCodes.Unauthorized, result.Exception?.GetType().Name ?? "invalid token");
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        return FromClaims(fromExternal ? external.Map(jwt) : jwt.Claims, jwt.ValidTo, out var principal, out var problem)
            ? new(principal, null, null)
            : new(null, ErrorCodes.Unauthorized, problem);
    }

    /// <summary>
    /// The principal of a token whose signature and lifetime were validated. False, with the reason, when a required
    /// claim is missing, a role is not declared (an array of roles is accepted only if every one is), or a declared
    /// claim breaks its rule.
    /// </summary>
    public bool FromClaims(IEnumerable<Claim> claims, DateTime validTo, out Principal? principal, out string? problem)
    {
        principal = null;
        string? sub = null, name = null, kind = null, tenant = null;
        var roles = new List<string>(1);
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in claims)
        {
            switch (c.Type)
            {
                case JwtRegisteredClaimNames.Sub: sub = c.Value; break;
                case JwtRegisteredClaimNames.Name: name = c.Value; break;
                // An array claim arrives as one Claim per element: every element is checked, none wins over another.
                case "role": roles.Add(c.Value); break;
                case "kind": kind = c.Value; break;
                case "tenant": tenant = c.Value; break;
                default:
                    if (!catalog.Claims.TryGetValue(c.Type, out var rule)) break;
                    if (!rule.IsValid(c.Value) || !declared.TryAdd(c.Type, c.Value))
                    {
                        problem = $"claim '{c.Type}' is not valid";
                        return false;
                    }
                    break;
            }
        }
        if (!Identifiers.IsId(sub, allowUnderscore: true))
        {
            problem = "sub missing or not an id";
            return false;
        }
        if (roles.Count == 0 || roles.Any(r => !catalog.IsRole(r)) || roles.Distinct(StringComparer.Ordinal).Count() != roles.Count)
        {
            problem = "role missing, repeated or not declared";
            return false;
        }
        if (tenant is not null && !Identifiers.IsId(tenant, allowUnderscore: true))
        {
            problem = "tenant not an id";
            return false;
        }
        PrincipalKind parsedKind;
        if (kind is null)
            parsedKind = roles.Contains(CorePermissions.GuestRole, StringComparer.Ordinal) ? PrincipalKind.Guest : PrincipalKind.User;
        else if (!TryParseKind(kind, out parsedKind))
        {
            problem = "kind must be user, guest or service";
            return false;
        }
        principal = new Principal(sub!, string.IsNullOrEmpty(name) ? sub! : Truncate(name, 64), parsedKind, tenant, roles,
            catalog.PermissionsOf(roles), declared, new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc)));
        problem = null;
        return true;
    }

    internal static string KindName(PrincipalKind kind) => kind switch
    {
        PrincipalKind.Guest => "guest",
        PrincipalKind.Service => "service",
        _ => "user",
    };

    private static bool TryParseKind(string value, out PrincipalKind kind)
    {
        kind = value switch { "user" => PrincipalKind.User, "guest" => PrincipalKind.Guest, "service" => PrincipalKind.Service, _ => (PrincipalKind)(-1) };
        return kind >= 0;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
