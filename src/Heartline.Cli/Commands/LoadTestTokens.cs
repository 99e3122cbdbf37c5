using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Cli.Commands;

/// <summary>
/// Tokens for the fleet: minted locally with the server's signing key (<c>--signing-key</c>, HS256, issuer and
/// audience <c>heartline</c>) — fast for tens of thousands of users — or one dev-token request per user.
/// </summary>
internal sealed class LoadTestTokens(LoadTestSettings settings) : IDisposable
{
    private const string IssuerAndAudience = "heartline";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly HttpClient _http = ServerOption.CreateHttpClient(settings.Server);
    private readonly SigningCredentials? _credentials = settings.SigningKey is { Length: > 0 } key
        ? new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256)
        : null;

    public async Task<string> MintAsync(string userId, string role, string officeId, CancellationToken cancellationToken)
    {
        if (_credentials is null)
        {
            return await DevTokens.MintAsync(_http, new DevTokenRequest(userId, null, role, settings.Region, officeId,
                (int)Lifetime.TotalSeconds), cancellationToken).ConfigureAwait(false);
        }
        var now = DateTime.UtcNow;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IssuerAndAudience,
            Audience = IssuerAndAudience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId,
                [JwtRegisteredClaimNames.Name] = userId,
                ["role"] = role,
                ["region"] = settings.Region,
                ["office"] = officeId,
            },
            SigningCredentials = _credentials,
        });
    }

    public void Dispose() => _http.Dispose();
}
