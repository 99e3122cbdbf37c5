using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

/// <summary>
/// The bearer handler's own answers (no token, a bad token, a role the policy refuses) are problem documents with a
/// catalog code, like every other error of the HTTP API.
/// </summary>
public sealed class AuthProblemTests : RealServerTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AdminStats_WithoutToken_Is401ProblemWithBareBearerChallenge()
    {
        using var anonymous = Server.CreateHttpClient();

        using var response = await anonymous.GetAsync("/api/admin/stats").WaitAsync(Timeout);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("bearer token required", problem.GetProperty("detail").GetString());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Null(challenge.Parameter);
    }

    [Fact]
    public async Task AdminStats_WithForgedToken_Is401ProblemWithInvalidTokenChallenge()
    {
        var forger = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = "a-key-that-is-not-the-servers-key-0123456789" }),
            TimeProvider.System);
        using var forged = Server.CreateHttpClient(forger.Mint("boss", "Boss", Roles.Admin, "r1", "o1", TimeSpan.FromHours(1)));

        using var response = await forged.GetAsync("/api/admin/stats").WaitAsync(Timeout);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("invalid token", problem.GetProperty("detail").GetString());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"invalid_token\"", challenge.Parameter);
    }

    [Fact]
    public async Task AdminStats_WithExpiredToken_Is401TokenExpiredWithInvalidTokenChallenge()
    {
        // Minted two hours ago for one hour: expired well beyond the server's clock skew.
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        var minter = new TokenIssuer(Server.Services.GetRequiredService<IOptions<AuthOptions>>(), past);
        using var expired = Server.CreateHttpClient(minter.Mint("boss", "Boss", Roles.Admin, "r1", "o1", TimeSpan.FromHours(1)));

        using var response = await expired.GetAsync("/api/admin/stats").WaitAsync(Timeout);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "token_expired");
        Assert.Equal("token expired", problem.GetProperty("detail").GetString());
        Assert.Equal("error=\"invalid_token\", error_description=\"token expired\"",
            Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Theory]
    [InlineData("/api/admin/stats")]
    [InlineData("/api/admin/events")]
    public async Task AdminEndpoint_WithNonAdminToken_Is403ForbiddenProblem(string url)
    {
        using var driver = Server.CreateHttpClient(Server.Token("u1"));

        using var response = await driver.GetAsync(url).WaitAsync(Timeout);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("not allowed for this principal's roles", problem.GetProperty("detail").GetString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task AuthenticatedEndpoint_WithoutToken_Is401Problem()
    {
        using var anonymous = Server.CreateHttpClient();

        using var response = await anonymous.GetAsync("/api/ptt/offices").WaitAsync(Timeout);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task AnonymousEndpoint_WithInvalidToken_IsNotChallenged()
    {
        using var invalid = Server.CreateHttpClient("not-a-token");

        using var response = await invalid.GetAsync("/health").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
