using System.Net;
using Heartline.Core.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Webinar;

/// <summary>Agency hosts: each manages its own agency's webinars only; a viewer's history across webinars.</summary>
public abstract partial class WebinarApiTests
{
    private HttpClient Host(string userId, string agency) => Server.CreateHttpClient(Server.Services.GetRequiredService<TokenIssuer>()
        .Mint(userId, userId, ["webinar_host"], new Dictionary<string, string> { ["agency"] = agency }, TimeSpan.FromHours(1)));

    [Fact]
    public async Task AnAgencyHost_ManagesItsAgencysWebinarsOnly_AndAnotherAgencysAnswerAsUnknown()
    {
        using var hostA = Host("host-a", "agency-a");
        using var hostB = Host("host-b", "agency-b");
        var start = Clock.GetUtcNow();
        using var created = await PostJsonAsync(hostA, "/api/webinars", new
        {
            title = "A사 설명회", webinar_start_time = start, webinar_scheduled_end_time = start.AddMinutes(60),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webinar = await JsonAsync(created);
        var id = webinar.GetProperty("id").GetString()!;
        Assert.Equal("agency-a", webinar.GetProperty("agency_id").GetString());
        await AssertProblemAsync(await PostJsonAsync(hostA, "/api/webinars", new
        {
            title = "남의 것", webinar_start_time = start, webinar_scheduled_end_time = start.AddMinutes(60), agency_id = "agency-b",
        }), HttpStatusCode.Forbidden, "forbidden");

        // The other agency's host sees nothing of it: not listed, and every address of it answers 404.
        Assert.DoesNotContain((await JsonAsync(await hostB.GetAsync("/api/webinars"))).GetProperty("items").EnumerateArray(),
            w => w.GetProperty("id").GetString() == id);
        foreach (var path in new[] { $"/api/webinars/{id}", $"/api/webinars/{id}/stats", $"/api/webinars/{id}/attendees.csv" })
            await AssertProblemAsync(await hostB.GetAsync(path), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await hostB.PatchAsJsonAsync($"/api/webinars/{id}", new { title = "x" }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await PostJsonAsync(hostB, $"/api/webinars/{id}/end", new { }), HttpStatusCode.NotFound, "not_found");

        // Its own host edits the schedule and ends it now; it cannot give it away to another agency.
        using var patched = await hostA.PatchAsJsonAsync($"/api/webinars/{id}", new { webinar_scheduled_end_time = start.AddMinutes(90) });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await AssertProblemAsync(await hostA.PatchAsJsonAsync($"/api/webinars/{id}", new { agency_id = "agency-b" }), HttpStatusCode.Forbidden, "forbidden");
        Clock.Advance(TimeSpan.FromMinutes(5));
        using var ended = await PostJsonAsync(hostA, $"/api/webinars/{id}/end", new { });
        Assert.Equal("ended", (await JsonAsync(ended)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await hostA.GetAsync($"/api/webinars/{id}/stats")).StatusCode);
        Assert.Contains((await JsonAsync(await Admin.GetAsync("/api/webinars"))).GetProperty("items").EnumerateArray(),
            w => w.GetProperty("id").GetString() == id);

        // A viewer manages nothing; a host without an agency neither.
        using var viewer = Server.CreateHttpClient(Server.Token("carol", role: Roles.Viewer));
        await AssertProblemAsync(await viewer.GetAsync("/api/webinars"), HttpStatusCode.Forbidden, "forbidden");
        using var loose = Server.CreateHttpClient(Server.Services.GetRequiredService<TokenIssuer>().Mint("loose", "loose", ["webinar_host"], null, TimeSpan.FromHours(1)));
        await AssertProblemAsync(await loose.GetAsync("/api/webinars"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AViewersHistory_GivesTheWatchTimeInEachWebinar_ToTheViewer_AdminsAndItsAgencysHost()
    {
        using var hostA = Host("host-a", "agency-a");
        using var hostB = Host("host-b", "agency-b");
        var start = Clock.GetUtcNow();
        async Task<string> CreateAsync(HttpClient host, string title)
        {
            using var response = await PostJsonAsync(host, "/api/webinars", new
            {
                title, webinar_start_time = start, webinar_scheduled_end_time = start.AddMinutes(60),
            });
            return (await JsonAsync(response)).GetProperty("id").GetString()!;
        }
        var a = await CreateAsync(hostA, "A사 웨비나");
        var b = await CreateAsync(hostB, "B사 웨비나");
        using var dana = Server.CreateHttpClient(Server.Token("dana", role: Roles.Viewer));
        // Three minutes in each (heartbeats a minute or two apart count; the seed's rules, docs/webinar.md).
        foreach (var (webinar, step, after) in new[]
        {
            (a, "access/track", 0), (b, "access/track", 0), (a, "presence/ping", 2), (b, "presence/ping", 0), (a, "presence/ping", 1), (b, "presence/ping", 0),
        })
        {
            Clock.Advance(TimeSpan.FromMinutes(after));
            using var response = await PostJsonAsync(dana, $"/api/webinars/{webinar}/{step}", new { session_key = "dana-tab-" + webinar[..8] });
            Assert.True(response.IsSuccessStatusCode, $"{step}: {(int)response.StatusCode}");
        }

        var own = (await JsonAsync(await dana.GetAsync("/api/webinars/viewers/dana/history"))).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([a, b], own.Select(e => e.GetProperty("webinar_id").GetString()).Order());
        Assert.All(own, e => Assert.Equal(180, e.GetProperty("watched_seconds").GetInt64()));
        Assert.Equal(2, (await JsonAsync(await Admin.GetAsync("/api/webinars/viewers/dana/history"))).GetProperty("items").GetArrayLength());
        var seenByA = (await JsonAsync(await hostA.GetAsync("/api/webinars/viewers/dana/history"))).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(a, Assert.Single(seenByA).GetProperty("webinar_id").GetString());
        using var other = Server.CreateHttpClient(Server.Token("erin", role: Roles.Viewer));
        await AssertProblemAsync(await other.GetAsync("/api/webinars/viewers/dana/history"), HttpStatusCode.Forbidden, "forbidden");
    }
}
