using System.Net;
using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;

namespace Heartline.Tests.Webinar;

public abstract partial class WebinarApiTests
{
    [Fact]
    public async Task AdminEndpoints_WithoutToken401_NonAdmin403()
    {
        var id = await CreateWebinarAsync();
        using var viewer = Server.CreateHttpClient(Server.Token("v1", role: Roles.Viewer));
        string[] gets = ["/api/webinars", $"/api/webinars/{id}", $"/api/webinars/{id}/stats", $"/api/webinars/{id}/attendees.csv"];

        foreach (var url in gets)
        {
            await AssertProblemAsync(await Anonymous.GetAsync(url).WaitAsync(Timeout), HttpStatusCode.Unauthorized, "unauthorized");
            await AssertProblemAsync(await viewer.GetAsync(url).WaitAsync(Timeout), HttpStatusCode.Forbidden, "forbidden");
        }
        await AssertProblemAsync(await PostJsonAsync(Anonymous, "/api/webinars", new { }), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await PostJsonAsync(viewer, $"/api/webinars/{id}/end", new { }), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task CreateAndUpdate_InvalidInput_400WithCode()
    {
        var id = await CreateWebinarAsync();
        var start = Clock.GetUtcNow();

        using var missing = await PostJsonAsync(Admin, "/api/webinars", new { title = "x" });
        using var backwards = await PostJsonAsync(Admin, "/api/webinars",
            new { title = "x", webinar_start_time = start, webinar_scheduled_end_time = start.AddMinutes(-1) });
        using var tooLong = await PostJsonAsync(Admin, "/api/webinars",
            new { title = "x", webinar_start_time = start, webinar_scheduled_end_time = start.AddDays(8) });
        using var noTitle = await PostJsonAsync(Admin, "/api/webinars",
            new { title = " ", webinar_start_time = start, webinar_scheduled_end_time = start.AddHours(1) });
        using var garbage = await Admin.PostAsync("/api/webinars", new StringContent("{", Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        using var badPatch = await Admin.PatchAsJsonAsync($"/api/webinars/{id}", new { post_window_minutes = -5 }).WaitAsync(Timeout);
        using var endBeforeStart = await PostJsonAsync(Admin, $"/api/webinars/{id}/end", new { ended_at = start.AddDays(-1) });
        using var unknown = await Admin.PatchAsJsonAsync($"/api/webinars/{Guid.NewGuid()}", new { title = "y" }).WaitAsync(Timeout);
        // A time without its UTC offset would be read in the server's own time zone: refused.
        using var noOffset = await Admin.PostAsync("/api/webinars", new StringContent(
            "{\"title\":\"x\",\"webinar_start_time\":\"2026-02-05T14:00:00\",\"webinar_scheduled_end_time\":\"2026-02-05T15:00:00+09:00\"}",
            Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        using var dateOnly = await Admin.PatchAsync($"/api/webinars/{id}", new StringContent(
            "{\"webinar_start_time\":\"2026-02-05\"}", Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        // An actual end is a fact: PATCH refuses one in the future, as POST …/end does.
        using var futureEnd = await Admin.PatchAsJsonAsync($"/api/webinars/{id}",
            new { webinar_actual_end_time = start.AddMinutes(30) }).WaitAsync(Timeout);

        foreach (var response in new[] { missing, backwards, tooLong, noTitle, garbage, badPatch, endBeforeStart, noOffset, dateOnly, futureEnd })
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
        var read = await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}").WaitAsync(Timeout));
        Assert.Equal(JsonValueKind.Null, read.GetProperty("webinar_actual_end_time").ValueKind);
    }

    [Fact]
    public async Task Times_OutOfRange_Are400_AndTheListKeepsWorking()
    {
        var id = await CreateWebinarAsync();
        var farStart = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

        // Collection end (scheduled end + post window) after 9999-12-31: refused before it is stored.
        using var far = await PostJsonAsync(Admin, "/api/webinars",
            new { title = "x", webinar_start_time = farStart, webinar_scheduled_end_time = farStart.AddHours(20) });
        using var farPatch = await Admin.PatchAsJsonAsync($"/api/webinars/{id}",
            new { webinar_start_time = farStart, webinar_scheduled_end_time = farStart.AddHours(20) }).WaitAsync(Timeout);
        using var beforeEpoch = await PostJsonAsync(Admin, "/api/webinars", new
        {
            title = "x", webinar_start_time = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero),
            webinar_scheduled_end_time = new DateTimeOffset(1969, 12, 31, 1, 0, 0, TimeSpan.Zero),
        });

        foreach (var response in new[] { far, farPatch, beforeEpoch })
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad_request");
        using var list = await Admin.GetAsync("/api/webinars").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains((await JsonAsync(list)).GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Delete_RemovesTheWebinarAndItsSessions_OnlyForAdmins()
    {
        var id = await CreateWebinarAsync();
        var keep = await CreateWebinarAsync();
        var (key, token) = await TrackGuestAsync(id, "session_1770000000000_d1e2f3");
        using var viewer = Server.CreateHttpClient(Server.Token("v1", role: Roles.Viewer));

        await AssertProblemAsync(await viewer.DeleteAsync($"/api/webinars/{id}").WaitAsync(Timeout), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await Anonymous.DeleteAsync($"/api/webinars/{id}").WaitAsync(Timeout), HttpStatusCode.Unauthorized, "unauthorized");
        using var deleted = await Admin.DeleteAsync($"/api/webinars/{id}").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertProblemAsync(await Admin.DeleteAsync($"/api/webinars/{id}").WaitAsync(Timeout), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await Admin.GetAsync($"/api/webinars/{id}").WaitAsync(Timeout), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout), HttpStatusCode.NotFound, "not_found");
        using var ping = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping",
            new { session_key = key, viewer_token = token, view_state = new { is_visible = true, is_active = true } });
        Assert.Equal(HttpStatusCode.NotFound, ping.StatusCode);
        var items = (await JsonAsync(await Admin.GetAsync("/api/webinars").WaitAsync(Timeout))).GetProperty("items").EnumerateArray()
            .Select(w => w.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(id, items);
        Assert.Contains(keep, items);
    }

    [Fact]
    public async Task CreateUpdateEnd_ChangesTheWindowAndShowsIt()
    {
        var id = await CreateWebinarAsync(startsInMinutes: -10, minutes: 60, postWindow: 15);

        using var patch = await Admin.PatchAsJsonAsync($"/api/webinars/{id}", new { title = "새 제목", client_id = "client-7" }).WaitAsync(Timeout);
        using var end = await PostJsonAsync(Admin, $"/api/webinars/{id}/end", new { });
        Clock.Advance(TimeSpan.FromMinutes(1));
        using var endAgain = await PostJsonAsync(Admin, $"/api/webinars/{id}/end", new { });
        var read = await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}").WaitAsync(Timeout));
        var list = await JsonAsync(await Admin.GetAsync("/api/webinars").WaitAsync(Timeout));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var ended = await JsonAsync(end);
        Assert.Equal(ended.GetProperty("webinar_actual_end_time").GetDateTimeOffset(), (await JsonAsync(endAgain)).GetProperty("webinar_actual_end_time").GetDateTimeOffset());
        Assert.Equal(("새 제목", "client-7", "ended", 15), (read.GetProperty("title").GetString(), read.GetProperty("client_id").GetString(),
            read.GetProperty("status").GetString(), read.GetProperty("post_window_minutes").GetInt32()));
        Assert.Equal(read.GetProperty("content_to").GetDateTimeOffset().AddMinutes(15), read.GetProperty("collect_to").GetDateTimeOffset());
        Assert.Contains(list.GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Stats_OfAFinishedWebinar_AreComputedOnce_UntilAnAdminChangeOrTenMinutes()
    {
        var id = await CreateWebinarAsync(startsInMinutes: 0, minutes: 10, postWindow: 0);
        using var alice = Server.CreateHttpClient(Server.Token("alice", role: Roles.Viewer));
        await PostJsonAsync(alice, $"/api/webinars/{id}/access/track", new { session_key = "alice-tab-1" });
        Clock.Advance(TimeSpan.FromMinutes(5));
        await PostJsonAsync(alice, $"/api/webinars/{id}/access/exit", new { session_key = "alice-tab-1" });
        Clock.Advance(TimeSpan.FromMinutes(6));
        async Task<DateTimeOffset> ComputedAtAsync() =>
            (await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout))).GetProperty("computed_at").GetDateTimeOffset();

        var first = await ComputedAtAsync();
        Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await ComputedAtAsync();
        using var patch = await Admin.PatchAsJsonAsync($"/api/webinars/{id}", new { title = "다시 계산" }).WaitAsync(Timeout);
        var afterChange = await ComputedAtAsync();
        Clock.Advance(Heartline.Webinar.FinishedStatsCache.Lifetime);
        var afterLifetime = await ComputedAtAsync();

        Assert.Equal(first, again);
        Assert.True(afterChange > first);
        Assert.True(afterLifetime > afterChange);
    }

    [Fact]
    public async Task Stats_OfALiveWebinar_AreComputedOnEveryRequest()
    {
        var id = await CreateWebinarAsync(startsInMinutes: 0, minutes: 10);
        var first = (await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout))).GetProperty("computed_at").GetDateTimeOffset();
        Clock.Advance(TimeSpan.FromSeconds(5));
        var second = (await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout))).GetProperty("computed_at").GetDateTimeOffset();

        Assert.Equal(TimeSpan.FromSeconds(5), second - first);
    }

    [Fact]
    public async Task Stats_ReportsViewersTotalsAndTheConcurrencySeries()
    {
        var id = await CreateWebinarAsync(startsInMinutes: 0, minutes: 10);
        using var alice = Server.CreateHttpClient(Server.Token("alice", role: Roles.Viewer));
        await PostJsonAsync(alice, $"/api/webinars/{id}/access/track", new { session_key = "alice-tab-1" });
        var (guestKey, guestToken) = await TrackGuestAsync(id, "guest-tab-1");
        Clock.Advance(TimeSpan.FromMinutes(2));
        await PostJsonAsync(alice, $"/api/webinars/{id}/presence/ping", new { session_key = "alice-tab-1" });
        await BeaconAsync(Anonymous, $"/api/webinars/{id}/access/exit", new { session_key = guestKey, viewer_token = guestToken });
        Clock.Advance(TimeSpan.FromMinutes(1));
        await PostJsonAsync(alice, $"/api/webinars/{id}/presence/ping", new { session_key = "alice-tab-1" });

        var stats = await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout));

        Assert.Equal((2, 2, 600L, 2, 1), (stats.GetProperty("unique_viewers").GetInt32(), stats.GetProperty("sessions").GetInt32(),
            stats.GetProperty("content_seconds").GetInt64(), stats.GetProperty("peak_concurrent_viewers").GetInt32(),
            stats.GetProperty("current_concurrent_viewers").GetInt32()));
        Assert.Equal(150.0, stats.GetProperty("average_watched_seconds").GetDouble());
        Assert.Equal((0, 0.0, 90), (stats.GetProperty("completed_viewers").GetInt32(), stats.GetProperty("completion_rate").GetDouble(),
            stats.GetProperty("completion_percent").GetInt32()));
        var series = stats.GetProperty("concurrency");
        Assert.Equal(60, series.GetProperty("interval_seconds").GetInt32());
        Assert.Equal(new[] { 2, 2, 1 }, series.GetProperty("viewers").EnumerateArray().Select(v => v.GetInt32()));
        var viewers = stats.GetProperty("viewers").EnumerateArray().ToList();
        Assert.Equal(("u:alice", false, 180L), (viewers[0].GetProperty("viewer").GetString(), viewers[0].GetProperty("guest").GetBoolean(),
            viewers[0].GetProperty("watched_seconds").GetInt64()));
        Assert.Equal(JsonValueKind.Null, viewers[0].GetProperty("last_leave_at").ValueKind);
        Assert.True(viewers[1].GetProperty("guest").GetBoolean());
        Assert.Single((await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats?viewer_limit=1").WaitAsync(Timeout)))
            .GetProperty("viewers").EnumerateArray());
    }

    [Fact]
    public async Task AttendeesCsv_ViewerRowThenSessionRows_FormulaSafe()
    {
        var id = await CreateWebinarAsync(startsInMinutes: 0, minutes: 10);
        var (key1, token) = await TrackGuestAsync(id, "guest-first-tab", userAgent: "=cmd|' /C calc'!A0");
        Clock.Advance(TimeSpan.FromMinutes(1));
        await BeaconAsync(Anonymous, $"/api/webinars/{id}/access/exit", new { session_key = key1, viewer_token = token });
        await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = "guest-rejoin-tab", viewer_token = token });

        using var response = await Admin.GetAsync($"/api/webinars/{id}/attendees.csv").WaitAsync(Timeout);
        var bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Heartline.Webinar.AttendeeCsv.Header, lines[0]);
        Assert.Equal(new[] { "viewer", "session", "session" }, lines[1..].Select(l => l.Split(',')[0]));
        var viewer = lines[1].Split(',');
        Assert.Equal(("60", "2", "false"), (viewer[6], viewer[8], viewer[9]));
        Assert.Contains("guest-first-tab", lines[2]);
        Assert.Contains(",exit,", lines[2]);
        Assert.Contains("'=cmd|' /C calc'!A0", lines[2]);
        Assert.Contains("https://partner.example/invite", lines[2]);
        Assert.DoesNotContain(",=cmd", lines[2]);
    }

    [Fact]
    public async Task OpenApi_ListsTheWebinarEndpoints()
    {
        var document = await Anonymous.GetStringAsync("/openapi/v1.json").WaitAsync(Timeout);

        foreach (var path in new[] { "/api/webinars", "/api/webinars/{id}/access/track", "/api/webinars/{id}/access/exit",
                     "/api/webinars/{id}/presence/ping", "/api/webinars/{id}/stats", "/api/webinars/{id}/attendees.csv", "/api/webinars/{id}/end" })
            Assert.Contains($"\"{path}\"", document);
    }
}
