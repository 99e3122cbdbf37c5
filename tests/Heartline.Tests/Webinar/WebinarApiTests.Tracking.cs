using System.Net;
using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;

namespace Heartline.Tests.Webinar;

public abstract partial class WebinarApiTests
{
    [Fact]
    public async Task GuestFlow_TrackPingExitByBeacon_AccumulatesAndExitIsIdempotent()
    {
        var id = await CreateWebinarAsync();
        var (key, token) = await TrackGuestAsync(id, "session_1770000000000_a1b2c3");

        Clock.Advance(TimeSpan.FromSeconds(120));
        using var ping = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping",
            new { session_key = key, viewer_token = token, view_state = new { is_visible = true, is_active = true } });
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var pinged = await JsonAsync(ping);
        Assert.True(pinged.GetProperty("collecting").GetBoolean());
        Assert.Equal(120, pinged.GetProperty("heartbeat_interval_seconds").GetInt32());
        Assert.Equal(120.0, pinged.GetProperty("session").GetProperty("watched_seconds_raw").GetDouble());

        Clock.Advance(TimeSpan.FromSeconds(30));
        using var exit = await BeaconAsync(Anonymous, $"/api/webinars/{id}/access/exit", new { session_key = key, viewer_token = token });
        using var again = await BeaconAsync(Anonymous, $"/api/webinars/{id}/access/exit", new { session_key = key, viewer_token = token });

        Assert.Equal(HttpStatusCode.OK, exit.StatusCode);
        Assert.Equal("exited", (await JsonAsync(exit)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeated = await JsonAsync(again);
        Assert.Equal(("already_closed", "exit"), (repeated.GetProperty("status").GetString(), repeated.GetProperty("closed_reason").GetString()));
        Assert.Equal((await JsonAsync(exit)).GetProperty("exited_at").GetDateTimeOffset(), repeated.GetProperty("exited_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task GuestSessionKey_AnotherViewer_CannotTakeItOver()
    {
        var id = await CreateWebinarAsync();
        var (key, owner) = await TrackGuestAsync(id, "guest-owned-key");
        var (_, intruder) = await TrackGuestAsync(id, "intruder-own-key");
        using var user = Server.CreateHttpClient(Server.Token("mallory", role: Roles.Viewer));

        using var byGuest = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { session_key = key, viewer_token = intruder });
        using var byUser = await PostJsonAsync(user, $"/api/webinars/{id}/access/exit", new { session_key = key });
        using var byNewcomer = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = key });
        using var forged = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/exit",
            new { session_key = key, viewer_token = owner[..^2] + (owner[^2] == 'A' ? "BA" : "AA") });
        using var tokenless = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { session_key = key });

        await AssertProblemAsync(byGuest, HttpStatusCode.Forbidden, "session_key_taken");
        await AssertProblemAsync(byUser, HttpStatusCode.Forbidden, "session_key_taken");
        await AssertProblemAsync(byNewcomer, HttpStatusCode.Forbidden, "session_key_taken");
        await AssertProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(tokenless, HttpStatusCode.Unauthorized, "unauthorized");
        using var stillOpen = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { session_key = key, viewer_token = owner });
        Assert.Equal(HttpStatusCode.OK, stillOpen.StatusCode);
    }

    [Fact]
    public async Task SignedInUser_KeyIsBoundToTheUser_AndAnInvalidBearerIsRefused()
    {
        var id = await CreateWebinarAsync();
        using var alice = Server.CreateHttpClient(Server.Token("alice", role: Roles.Viewer));
        using var bob = Server.CreateHttpClient(Server.Token("bob", role: Roles.Viewer));
        using var broken = Server.CreateHttpClient("not-a-token");

        using var track = await PostJsonAsync(alice, $"/api/webinars/{id}/access/track", new { session_key = "alice-key-1" });
        var tracked = await JsonAsync(track);
        using var resumed = await PostJsonAsync(alice, $"/api/webinars/{id}/access/track", new { session_key = "alice-key-1" });
        using var taken = await PostJsonAsync(bob, $"/api/webinars/{id}/presence/ping", new { session_key = "alice-key-1" });
        using var invalid = await PostJsonAsync(broken, $"/api/webinars/{id}/presence/ping", new { session_key = "alice-key-1" });

        Assert.Equal(HttpStatusCode.OK, track.StatusCode);
        Assert.Equal(JsonValueKind.Null, tracked.GetProperty("viewer_token").ValueKind);
        Assert.Equal("resumed", (await JsonAsync(resumed)).GetProperty("status").GetString());
        await AssertProblemAsync(taken, HttpStatusCode.Forbidden, "session_key_taken");
        await AssertProblemAsync(invalid, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Ping_OldClientWithoutSessionKey_StillWorksAndCountsAsLive()
    {
        var id = await CreateWebinarAsync();
        using var user = Server.CreateHttpClient(Server.Token("legacy", role: Roles.Viewer));

        using var empty = await user.PostAsync($"/api/webinars/{id}/presence/ping", null).WaitAsync(Timeout);
        using var json = await PostJsonAsync(user, $"/api/webinars/{id}/presence/ping", new { view_state = new { is_visible = false } });
        using var anonymous = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { });

        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(json)).GetProperty("session").ValueKind);
        var stats = await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout));
        Assert.Equal(2, stats.GetProperty("current_concurrent_viewers").GetInt32());
        Assert.Equal(0, stats.GetProperty("sessions").GetInt32());
    }

    [Fact]
    public async Task Tracking_BadInput_IsRefusedWithStableCodes()
    {
        var id = await CreateWebinarAsync();

        using var unknownWebinar = await PostJsonAsync(Anonymous, $"/api/webinars/{Guid.NewGuid()}/access/track", new { session_key = "valid-key-1" });
        using var notAnId = await PostJsonAsync(Anonymous, "/api/webinars/nope/presence/ping", new { });
        using var shortKey = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = "short" });
        using var badChars = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = "key with spaces" });
        using var notJson = await Anonymous.PostAsync($"/api/webinars/{id}/access/exit",
            new StringContent("session_key=abc", Encoding.UTF8, "text/plain")).WaitAsync(Timeout);
        using var huge = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track",
            new { session_key = "valid-key-2", referrer = new string('r', 20_000) });
        using var unknownSession = await PostJsonAsync(Server.CreateHttpClient(Server.Token("u9", role: Roles.Viewer)),
            $"/api/webinars/{id}/access/exit", new { session_key = "never-tracked" });

        await AssertProblemAsync(unknownWebinar, HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(notAnId, HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(shortKey, HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(badChars, HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "limit_exceeded");
        await AssertProblemAsync(unknownSession, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task EndedWebinar_AfterThePostWindow_TrackIsRefusedAndPingSaysStop()
    {
        var id = await CreateWebinarAsync(postWindow: 0);
        var (key, token) = await TrackGuestAsync(id, "before-the-end");
        Clock.Advance(TimeSpan.FromSeconds(10));

        using var end = await Admin.PostAsync($"/api/webinars/{id}/end", null).WaitAsync(Timeout);
        Clock.Advance(TimeSpan.FromSeconds(1));
        using var track = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = "after-the-end" });
        using var ping = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { session_key = key, viewer_token = token });

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Equal("ended", (await JsonAsync(end)).GetProperty("status").GetString());
        await AssertProblemAsync(track, HttpStatusCode.Conflict, "webinar_closed");
        Assert.False((await JsonAsync(ping)).GetProperty("collecting").GetBoolean());
    }

    [Fact]
    public async Task Ping_AfterTheStaleTimeout_ClosesTheSessionAndTheClientStartsANewOne()
    {
        var id = await CreateWebinarAsync();
        var (key, token) = await TrackGuestAsync(id, "frozen-tab-key");
        Clock.Advance(TimeSpan.FromMinutes(7));

        using var ping = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/presence/ping", new { session_key = key, viewer_token = token });
        using var retrack = await PostJsonAsync(Anonymous, $"/api/webinars/{id}/access/track", new { session_key = "fresh-tab-key", viewer_token = token });

        await AssertProblemAsync(ping, HttpStatusCode.Conflict, "session_closed");
        Assert.Equal(HttpStatusCode.OK, retrack.StatusCode);
        var stats = await JsonAsync(await Admin.GetAsync($"/api/webinars/{id}/stats").WaitAsync(Timeout));
        var viewer = Assert.Single(stats.GetProperty("viewers").EnumerateArray());
        Assert.Equal(2, viewer.GetProperty("sessions").GetInt32());
    }
}
