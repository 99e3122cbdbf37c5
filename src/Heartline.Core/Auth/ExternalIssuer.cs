using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>
/// Validates tokens of the outside identity provider (<c>Auth:External</c>) by its published keys, fetched with the
/// IdentityModel <see cref="ConfigurationManager{T}"/> (cached, refreshed, fetched again soon after a token names an
/// unknown key), and maps their claims to the names Heartline's principal reads.
/// </summary>
internal sealed class ExternalIssuer
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
    private readonly ExternalIssuerOptions _options;
    private readonly IdentityCatalog _catalog;
    private readonly ConfigurationManager<JsonWebKeySet>? _keys;
    private readonly TokenValidationParameters? _validation;

    public ExternalIssuer(IOptions<AuthOptions> options, TokenParameters parameters, IdentityCatalog catalog)
    {
        _options = options.Value.External;
        _catalog = catalog;
        if (!_options.Enabled) return;
        _keys = new ConfigurationManager<JsonWebKeySet>(_options.JwksUrl!, new JwksRetriever(),
            new HttpDocumentRetriever { RequireHttps = _options.RequireHttps })
        {
            AutomaticRefreshInterval = TimeSpan.FromMinutes(_options.KeyRefreshMinutes),
            RefreshInterval = TimeSpan.FromSeconds(_options.KeyRetrySeconds),
        };
        _validation = parameters.Validation.Clone();
        _validation.ValidIssuer = _options.Issuer;
        _validation.ValidAudience = _options.Audience;
        _validation.IssuerSigningKey = null;
        _validation.ValidAlgorithms = Algorithms;
    }

    /// <summary>Whether <paramref name="token"/> claims to come from the external issuer (read without validating).</summary>
    public bool Issued(string token)
    {
        if (!_options.Enabled) return false;
        try
        {
            return new JsonWebToken(token).Issuer == _options.Issuer;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Validates the token with the issuer's keys (fetching them again once when it names an unknown key).</summary>
    public async Task<TokenValidationResult> ValidateAsync(JsonWebTokenHandler handler, string token)
    {
        var result = await ValidateWithKeysAsync(handler, token).ConfigureAwait(false);
        if (result.IsValid || result.Exception is not SecurityTokenSignatureKeyNotFoundException) return result;
        _keys!.RequestRefresh();
        return await ValidateWithKeysAsync(handler, token).ConfigureAwait(false);
    }

    private async Task<TokenValidationResult> ValidateWithKeysAsync(JsonWebTokenHandler handler, string token)
    {
        JsonWebKeySet keys;
        try
        {
            keys = await _keys!.GetConfigurationAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // The keys could not be fetched (and none are cached): no token of this issuer can be checked now.
            return new TokenValidationResult { IsValid = false, Exception = ex };
        }
        var validation = _validation!.Clone();
        validation.IssuerSigningKeys = keys.GetSigningKeys();
        return await handler.ValidateTokenAsync(token, validation).ConfigureAwait(false);
    }

    /// <summary>The token's claims under the names the principal reads (sub, name, role, tenant, module claims).</summary>
    public IReadOnlyList<Claim> Map(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var root = payload.RootElement;
        var claims = new List<Claim>();
        foreach (var value in Read(root, _options.UserIdClaim).Take(1)) claims.Add(new Claim(JwtRegisteredClaimNames.Sub, value));
        foreach (var value in Read(root, _options.NameClaim).Take(1)) claims.Add(new Claim(JwtRegisteredClaimNames.Name, value));
        var roles = Read(root, _options.RolesClaim)
            .SelectMany(v => v.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(_catalog.IsRole).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0) roles.AddRange(_options.DefaultRoles);
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        if (_options.TenantClaim is { } tenantClaim)
            foreach (var value in Read(root, tenantClaim).Take(1)) claims.Add(new Claim("tenant", value));
        foreach (var (claim, path) in _options.Claims)
            foreach (var value in Read(root, path).Take(1)) claims.Add(new Claim(claim, value));
        claims.Add(new Claim("kind", "user"));
        return claims;
    }

    /// <summary>The values at a dotted path: a string, each string of an array, or a number or boolean as text.</summary>
    private static IEnumerable<string> Read(JsonElement root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node)) return [];
        }
        return node.ValueKind switch
        {
            JsonValueKind.String => [node.GetString()!],
            JsonValueKind.Array => [.. node.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => [node.GetRawText()],
            _ => [],
        };
    }

    private sealed class JwksRetriever : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel) =>
            new(await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false));
    }
}
