using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>Result of validating a token: a user, or the error code to answer with.</summary>
internal readonly record struct TokenValidation(HeartlineUser? User, string? ErrorCode, string? Detail);

/// <summary>Mints and validates the HS256 JWTs used by WebSocket <c>connect</c> and HTTP <c>Bearer</c>.</summary>
internal sealed class TokenService
{
    private const string RegionClaim = "region";
    private const string OfficeClaim = "office";
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly SymmetricSecurityKey _key;
    private readonly TokenValidationParameters _parameters;

    public TokenService(IOptions<AuthOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.SigningKey));
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
            RequireExpirationTime = true,
            // Expiry is checked against the injected clock so tests can move time.
            LifetimeValidator = ValidateLifetime,
        };
    }

    /// <summary>
    /// Until when a validated token is honoured: its expiry plus the clock skew that validation allows, so that a
    /// connection accepted at the edge of the skew is not closed the moment it opens.
    /// </summary>
    public DateTimeOffset ValidUntil(HeartlineUser user) => user.ExpiresAt + _parameters.ClockSkew;

    public string Mint(string userId, string name, string role, string regionId, string officeId, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId,
                [JwtRegisteredClaimNames.Name] = name,
                ["role"] = role,
                [RegionClaim] = regionId,
                [OfficeClaim] = officeId,
            },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        };
        return _handler.CreateToken(descriptor);
    }

    public async Task<TokenValidation> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 8192)
            return new(null, Protocol.ErrorCodes.Unauthorized, "token missing or too long");
        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result.Exception is SecurityTokenExpiredException
                ? new(null, Protocol.ErrorCodes.TokenExpired, "token expired")
                : new(null, Protocol.ErrorCodes.Unauthorized, result.Exception?.GetType().Name ?? "invalid token");
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        var user = FromClaims(jwt.Claims, jwt.ValidTo);
        return user is null
            ? new(null, Protocol.ErrorCodes.Unauthorized, "required claims missing")
            : new(user, null, null);
    }

    private static HeartlineUser? FromClaims(IEnumerable<Claim> claims, DateTime validTo)
    {
        string? sub = null, name = null, role = null, region = null, office = null;
        foreach (var c in claims)
        {
            switch (c.Type)
            {
                case JwtRegisteredClaimNames.Sub: sub = c.Value; break;
                case JwtRegisteredClaimNames.Name: name = c.Value; break;
                case "role": role = c.Value; break;
                case RegionClaim: region = c.Value; break;
                case OfficeClaim: office = c.Value; break;
            }
        }
        if (!IsId(sub, allowUnderscore: true) || role is null || !Roles.All.Contains(role) || !IsId(region) || !IsId(office))
            return null;
        return new HeartlineUser(sub!, string.IsNullOrEmpty(name) ? sub! : Truncate(name, 64), role, region!, office!,
            new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc)));
    }

    /// <summary>
    /// Ids become parts of channel names and keys, so they are kept to a safe alphabet. Region and office ids may not
    /// contain '_' because the office key joins them with one.
    /// </summary>
    internal static bool IsId(string? value, bool allowUnderscore = false)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64) return false;
        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '@' || (allowUnderscore && ch == '_'))) return false;
        }
        return true;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters p)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null) return false;
        if (notBefore is { } nbf && nbf > now + p.ClockSkew)
            throw new SecurityTokenNotYetValidException("token not yet valid");
        if (expires.Value < now - p.ClockSkew)
            throw new SecurityTokenExpiredException("token expired") { Expires = expires.Value };
        return true;
    }
}
