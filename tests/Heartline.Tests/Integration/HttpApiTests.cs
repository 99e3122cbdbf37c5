using System.Net;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Integration;

public sealed class HttpApiTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Health_And_Ready_AreHealthy()
    {
        using var http = _server.CreateHttpClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var ready = await http.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stats_WithoutToken_Is401_WithNonAdmin_Is403_WithAdmin_ReturnsCounters()
    {
        using var anonymous = _server.CreateHttpClient();
        using var driver = _server.CreateHttpClient(_server.Token("u1"));
        using var admin = _server.CreateHttpClient(_server.Token("boss", role: Roles.Admin));
        await using var ws = await _server.ConnectAsync("u2");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await driver.GetAsync("/api/admin/stats")).StatusCode);
        var stats = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/admin/stats");
        Assert.Equal("test-node", stats.GetProperty("node_id").GetString());
        Assert.True(stats.GetProperty("metrics").GetProperty("connections").GetInt64() >= 1);
        Assert.True(stats.GetProperty("metrics").GetProperty("frames_in").GetInt64() >= 1);
    }

    [Fact]
    public async Task AdminEvents_ListPresenceEventsOfAnyScope_PagedForAdminsOnly()
    {
        await using (await _server.ConnectAsync("u7")) { }
        await _server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var admin = _server.CreateHttpClient(_server.Token("boss", role: Roles.Admin));
        using var driver = _server.CreateHttpClient(_server.Token("u1"));

        var page = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/admin/events?scope=presence:r1_o1&type=USER_ONLINE&limit=1");

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("USER_ONLINE", item.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await driver.GetAsync("/api/admin/events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/events?limit=0")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_DocumentListsTheHttpApi()
    {
        using var http = _server.CreateHttpClient();

        var document = await http.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/auth/dev-token", document);
        Assert.Contains("/api/admin/stats", document);
    }
}
