using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Webinar;

/// <summary>Behind the documented load balancer the viewer's address comes from X-Forwarded-For, once switched on.</summary>
public sealed class WebinarProxyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("true", "203.0.113.7")]
    [InlineData("false", "127.0.0.1")]
    public async Task Track_RecordsTheForwardedAddress_OnlyWhenForwardedHeadersAreEnabled(string enabled, string recorded)
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["ForwardedHeaders_Enabled"] = enabled,
        }).WaitAsync(Timeout);
        using var admin = server.CreateHttpClient(server.Token("boss", role: Roles.Admin));
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var created = await admin.PostAsJsonAsync("/api/webinars", new
        {
            title = "proxied", webinar_start_time = start, webinar_scheduled_end_time = start.AddHours(1),
        }).WaitAsync(Timeout);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var viewer = server.CreateHttpClient(server.Token("u1", role: Roles.Viewer));
        using var track = new HttpRequestMessage(HttpMethod.Post, $"/api/webinars/{id}/access/track")
        {
            Content = JsonContent.Create(new { session_key = "proxied-key-1" }),
        };
        // What nginx's proxy_add_x_forwarded_for sends: the client's claim first, the address nginx saw last.
        track.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.7");

        using var tracked = await viewer.SendAsync(track).WaitAsync(Timeout);
        var csv = await admin.GetStringAsync($"/api/webinars/{id}/attendees.csv").WaitAsync(Timeout);

        Assert.Equal(System.Net.HttpStatusCode.OK, tracked.StatusCode);
        var session = Assert.Single(csv.Split("\r\n"), r => r.StartsWith("session,", StringComparison.Ordinal));
        Assert.EndsWith("," + recorded, session);
    }
}
