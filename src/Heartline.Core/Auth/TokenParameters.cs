using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>
/// The one set of token settings: the HS256 key, issuer, audience and the validation parameters that WebSocket
/// <c>connect</c> and HTTP <c>Bearer</c> (JwtBearer) both use. Expiry is checked on the injected clock.
/// </summary>
internal sealed class TokenParameters
{
    public TokenParameters(IOptions<AuthOptions> options, TimeProvider time)
    {
        Options = options.Value;
        Key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Options.SigningKey));
        Validation = new TokenValidationParameters
        {
            ValidIssuer = Options.Issuer,
            ValidAudience = Options.Audience,
            IssuerSigningKey = Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(Options.ClockSkewSeconds),
            RequireExpirationTime = true,
            NameClaimType = "name",
            RoleClaimType = "role",
            LifetimeValidator = (notBefore, expires, _, p) => ValidateLifetime(time, notBefore, expires, p),
        };
    }

    public AuthOptions Options { get; }

    public SymmetricSecurityKey Key { get; }

    public TokenValidationParameters Validation { get; }

    public TimeSpan ClockSkew => Validation.ClockSkew;

    private static bool ValidateLifetime(TimeProvider time, DateTime? notBefore, DateTime? expires, TokenValidationParameters p)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null) return false;
        if (notBefore is { } nbf && nbf > now + p.ClockSkew)
            throw new SecurityTokenNotYetValidException("token not yet valid");
        if (expires.Value < now - p.ClockSkew)
            throw new SecurityTokenExpiredException("token expired") { Expires = expires.Value };
        return true;
    }
}
