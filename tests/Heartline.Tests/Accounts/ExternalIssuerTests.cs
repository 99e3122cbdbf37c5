using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Heartline.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Tests.Accounts;

/// <summary>
/// Tokens of an outside identity provider (Auth:External): an issuer played by the test, publishing its keys as a JWKS
/// on loopback, signing like Firebase Auth (RS256, custom claims for the office) and Keycloak (ES256, roles in
/// <c>realm_access.roles</c>). The server validates them at connect and over HTTP and maps the claims.
/// </summary>
public sealed class ExternalIssuerTests : IAsyncLifetime
{
    private const string Issuer = "https://securetoken.google.com/heartline-test";
    private const string Audience = "heartline-test";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RSA _rotated = RSA.Create(2048);
    private WebApplication _jwks = null!;
    private volatile bool _rotatedPublished;
    private HeartlineServer _server = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        _jwks = builder.Build();
        _jwks.MapGet("/jwks", () => Results.Text(Jwks(), "application/json"));
        await _jwks.StartAsync().WaitAsync(Wait);
        var url = _jwks.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/jwks";
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:External:Issuer"] = Issuer,
            ["Auth:External:Audience"] = Audience,
            ["Auth:External:JwksUrl"] = url,
            ["Auth:External:RequireHttps"] = "false",
            ["Auth:External:KeyRetrySeconds"] = "1",
            ["Auth:External:RolesClaim"] = "realm_access.roles",
            ["Auth:External:DefaultRoles:0"] = "pickup_driver",
            ["Auth:External:Claims:region"] = "regionId",
            ["Auth:External:Claims:office"] = "officeId",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _jwks.DisposeAsync();
        _rsa.Dispose();
        _ec.Dispose();
        _rotated.Dispose();
    }

    [Fact]
    public async Task AFirebaseStyleToken_Connects_WithTheMappedOffice_AndCallsTheApi()
    {
        var token = Sign(new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256,
            new() { ["sub"] = "fb-uid-1", ["name"] = "김기사", ["regionId"] = "r1", ["officeId"] = "o5" });

        var socket = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await socket.RequestAsync("connect", new { token });
        reply.AssertOk();
        var user = reply.Result.GetProperty("user");
        Assert.Equal(("fb-uid-1", "김기사", "pickup_driver", "r1_o5"), (user.GetProperty("user_id").GetString(), user.GetProperty("name").GetString(),
            user.GetProperty("role").GetString(), user.GetProperty("office").GetString()));
        (await socket.RequestAsync("subscribe", new { channel = "presence:r1_o5" })).AssertOk();

        using var http = _server.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/ptt/offices/r1_o5")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/admin/accounts")).StatusCode);
    }

    [Fact]
    public async Task AKeycloakStyleToken_TakesItsDeclaredRoles_FromANestedClaim()
    {
        var token = Sign(new ECDsaSecurityKey(_ec) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256, new()
        {
            ["sub"] = "kc-7", ["realm_access"] = new Dictionary<string, object> { ["roles"] = new[] { "offline_access", "call_manager" } },
            ["regionId"] = "r1", ["officeId"] = "o5",
        });
        var socket = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await socket.RequestAsync("connect", new { token });
        reply.AssertOk();
        Assert.Equal("call_manager", reply.Result.GetProperty("user").GetProperty("role").GetString());
    }

    [Fact]
    public async Task ForgedWrongAudienceAndExpiredTokens_AreRefused_AndARotatedKeyIsFetched()
    {
        using var stranger = RSA.Create(2048);
        var claims = new Dictionary<string, object> { ["sub"] = "x1", ["regionId"] = "r1", ["officeId"] = "o5" };
        Assert.Equal("unauthorized", await ConnectErrorAsync(Sign(new RsaSecurityKey(stranger) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256, claims)));
        Assert.Equal("unauthorized", await ConnectErrorAsync(Sign(new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256, claims, audience: "another-app")));
        var expired = Sign(new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256, claims, expires: DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal("token_expired", await ConnectErrorAsync(expired));
        using (var http = _server.CreateHttpClient(expired))
        {
            var answer = await http.GetAsync("/api/ptt/offices/r1_o5");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal("token_expired", JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }

        // The issuer rotates to a new key: a token signed with it is accepted once the keys are fetched again.
        _rotatedPublished = true;
        var rotated = Sign(new RsaSecurityKey(_rotated) { KeyId = "rsa-2" }, SecurityAlgorithms.RsaSha256, claims);
        await Eventually.TrueAsync(async () => await ConnectErrorAsync(rotated) is null, "a token of the rotated key connects", Wait);
    }

    private async Task<string?> ConnectErrorAsync(string token)
    {
        var socket = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await socket.RequestAsync("connect", new { token });
        await socket.DisposeAsync();
        return reply.ErrorCode;
    }

    private static string Sign(SecurityKey key, string algorithm, Dictionary<string, object> claims, string audience = Audience, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var end = expires ?? now.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = audience, IssuedAt = end.AddHours(-1), NotBefore = end.AddHours(-1), Expires = end, Claims = claims,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private string Jwks()
    {
        var keys = new List<JsonWebKey>
        {
            JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "rsa-1" }),
            JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(_ec.ExportParameters(false))) { KeyId = "ec-1" }),
        };
        if (_rotatedPublished)
            keys.Add(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rotated.ExportParameters(false)) { KeyId = "rsa-2" }));
        return JsonSerializer.Serialize(new
        {
            keys = keys.Select(k => k.Kty == "RSA"
                ? (object)new { kty = k.Kty, kid = k.Kid, use = "sig", n = k.N, e = k.E }
                : new { kty = k.Kty, kid = k.Kid, use = "sig", crv = k.Crv, x = k.X, y = k.Y }),
        });
    }
}
