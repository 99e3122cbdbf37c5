using System.Net;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Integration;

/// <summary><c>Http:AllowedOrigins</c>: a WebView app's origin may read the SDK and call the API; other origins may not.</summary>
public sealed class CrossOriginTests : IAsyncLifetime
{
    private const string App = "https://appassets.androidplatform.net";
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
    {
        ["Http:AllowedOrigins:0"] = App,
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/sdk/voip.js")]
    [InlineData("/sdk/heartline.js")]
    public async Task Script_FromTheAllowedOrigin_IsReadable_FromAnotherIsNot(string path)
    {
        using var http = _server.CreateHttpClient();
        using var allowed = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Origin", App } } };
        using var response = await http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(App, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));

        using var other = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Origin", "https://evil.example" } } };
        using var refused = await http.SendAsync(other);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_OfTheAdmission_AllowsTheJsonPost()
    {
        using var http = _server.CreateHttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/voip/guests")
        {
            Headers = { { "Origin", App }, { "Access-Control-Request-Method", "POST" }, { "Access-Control-Request-Headers", "content-type" } },
        };
        using var response = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(App, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
    }
}
