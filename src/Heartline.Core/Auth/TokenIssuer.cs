using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>
/// Mints access tokens the server itself validates, for modules that admit principals of their own (a VoIP guest, a
/// webinar viewer): the same HS256 JWTs as the development endpoint, signed with <c>Auth:SigningKey</c>.
/// </summary>
public interface ITokenIssuer
{
    /// <summary>A token for <paramref name="subjectId"/> with declared <paramref name="roles"/> and claims, valid for <paramref name="lifetime"/>.</summary>
    string Mint(string subjectId, string name, IReadOnlyList<string> roles, IReadOnlyDictionary<string, string>? claims,
        TimeSpan lifetime, PrincipalKind? kind = null, string? tenant = null);
}

/// <summary>Mints the HS256 JWTs the server validates (the development endpoint, modules, tests and tools).</summary>
internal sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider time) : ITokenIssuer
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenParameters _parameters = new(options, time);

    /// <summary>
    /// A token for <paramref name="subjectId"/> with <paramref name="roles"/> (one role is written as a string, as every
    /// token before several roles existed), the module claims in <paramref name="claims"/>, and <c>kind</c> and
    /// <c>tenant</c> when given.
    /// </summary>
    public string Mint(string subjectId, string name, IReadOnlyList<string> roles, IReadOnlyDictionary<string, string>? claims,
        TimeSpan lifetime, PrincipalKind? kind = null, string? tenant = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var payload = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = subjectId,
            [JwtRegisteredClaimNames.Name] = name,
            ["role"] = roles.Count == 1 ? roles[0] : roles.ToArray(),
        };
        if (kind is { } k) payload["kind"] = TokenValidator.KindName(k);
        if (tenant is not null) payload["tenant"] = tenant;
        foreach (var (claim, value) in claims ?? new Dictionary<string, string>()) payload[claim] = value;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _parameters.Options.Issuer,
            Audience = _parameters.Options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = payload,
            SigningCredentials = new SigningCredentials(_parameters.Key, SecurityAlgorithms.HmacSha256),
        });
    }
}
