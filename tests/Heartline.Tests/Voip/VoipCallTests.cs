using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Heartline.Tests.Voip.VoipTestKit;

namespace Heartline.Tests.Voip;

/// <summary>Guests calling each other over the real server: the call's states, signalling, busy, glare and records.</summary>
public sealed class VoipCallTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" });
        _http = _server.CreateHttpClient();
        _admin = _server.CreateHttpClient(_server.Token("boss", role: Roles.Admin));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Call_RingAcceptSignalHangup_BothSidesSeeEveryStep_AndTheRecordKeepsIt()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "김민수");
        var b = await AdmitAndConnectAsync(_server, _http, "Bob");

        var reply = await a.Socket.RequestAsync("voip.call", new { to = b.Id, media = "video" });
        reply.AssertOk();
        Assert.Equal("ringing", reply.Result.GetProperty("state").GetString());
        Assert.False(reply.Result.GetProperty("glare").GetBoolean());
        var callId = reply.Result.GetProperty("call_id").GetString()!;

        var incoming = await b.Socket.NextEventAsync("incoming");
        Assert.Equal(callId, incoming.GetProperty("call_id").GetString());
        Assert.Equal(a.Id, incoming.GetProperty("from").GetProperty("id").GetString());
        Assert.Equal("김민수", incoming.GetProperty("from").GetProperty("name").GetString());
        Assert.Equal("video", incoming.GetProperty("media").GetString());
        var ringing = await a.Socket.NextEventAsync("ringing");
        Assert.Equal(b.Id, ringing.GetProperty("to").GetProperty("id").GetString());

        (await b.Socket.RequestAsync("voip.accept", new { call_id = callId })).AssertOk();
        Assert.Equal(a.Id, (await a.Socket.NextEventAsync("accepted")).GetProperty("caller").GetString());
        await b.Socket.NextEventAsync("accepted");

        (await a.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "offer", data = new { type = "offer", sdp = "v=0 fake" } })).AssertOk();
        var offer = await b.Socket.NextEventAsync("signal");
        Assert.Equal("offer", offer.GetProperty("kind").GetString());
        Assert.Equal("v=0 fake", offer.GetProperty("data").GetProperty("sdp").GetString());
        Assert.Equal(a.Id, offer.GetProperty("from").GetProperty("id").GetString());
        (await b.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "ice", data = new { candidate = "candidate:1 1 udp 1 127.0.0.1 9 typ host" } })).AssertOk();
        Assert.Equal("ice", (await a.Socket.NextEventAsync("signal")).GetProperty("kind").GetString());

        (await b.Socket.RequestAsync("voip.hangup", new { call_id = callId })).AssertOk();
        Assert.Equal("hangup", (await a.Socket.NextEventAsync("ended")).GetProperty("reason").GetString());
        Assert.Equal("hangup", (await b.Socket.NextEventAsync("ended")).GetProperty("reason").GetString());

        // The call is over: its id no longer signals, and both are free to call again.
        Assert.Equal("voip_no_call", (await a.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "ice", data = new { } })).ErrorCode);
        var again = await b.CallAsync(a);
        Assert.NotEqual(callId, again);

        using var mine = new HttpClient { BaseAddress = _server.BaseAddress };
        mine.DefaultRequestHeaders.Authorization = new("Bearer", a.Token);
        // The record's end is written beside the hangup's events, not before its reply: read until it is there.
        JsonElement record = default;
        await Eventually.TrueAsync(async () =>
        {
            var records = (await JsonAsync(await mine.GetAsync("/api/voip/calls"))).GetProperty("items");
            record = records.EnumerateArray().Single(r => r.GetProperty("id").GetString() == callId);
            return record.GetProperty("end_reason").ValueKind != JsonValueKind.Null;
        }, "the call record ended", TimeSpan.FromSeconds(30));
        Assert.Equal("hangup", record.GetProperty("end_reason").GetString());
        Assert.NotEqual(JsonValueKind.Null, record.GetProperty("answered_at").ValueKind);
        Assert.Equal(b.Id, record.GetProperty("callee_id").GetString());

        string[] types = [];
        for (var deadline = DateTime.UtcNow + Wait; DateTime.UtcNow < deadline && types.Length < 3; await Task.Delay(50))
            types = await EventTypes(callId);
        Assert.Equal(["voip.call_started", "voip.call_answered", "voip.call_ended"], types);
    }

    [Fact]
    public async Task Busy_InCall_AndRejectCancel_AreDecidedOncePerParty()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var c = await AdmitAndConnectAsync(_server, _http, "C");

        var first = await a.CallAsync(b);
        Assert.Equal("voip_busy", (await c.Socket.RequestAsync("voip.call", new { to = b.Id })).ErrorCode);
        Assert.Equal("voip_busy", (await c.Socket.RequestAsync("voip.call", new { to = a.Id })).ErrorCode);
        Assert.Equal("voip_in_call", (await a.Socket.RequestAsync("voip.call", new { to = c.Id })).ErrorCode);
        // Only the callee rejects, only the caller cancels.
        Assert.Equal("voip_no_call", (await a.Socket.RequestAsync("voip.reject", new { call_id = first })).ErrorCode);
        Assert.Equal("voip_no_call", (await b.Socket.RequestAsync("voip.cancel", new { call_id = first })).ErrorCode);
        Assert.Equal("voip_no_call", (await c.Socket.RequestAsync("voip.accept", new { call_id = first })).ErrorCode);
        (await b.Socket.RequestAsync("voip.reject", new { call_id = first })).AssertOk();
        Assert.Equal("rejected", (await a.Socket.NextEventAsync("ended")).GetProperty("reason").GetString());

        // Lines are free again: C reaches B, and the caller's cancel ends it for both.
        var second = await c.CallAsync(b);
        await b.Socket.NextEventAsync("incoming");
        (await c.Socket.RequestAsync("voip.cancel", new { call_id = second })).AssertOk();
        Assert.Equal("cancelled", (await b.Socket.NextEventAsync("ended", second)).GetProperty("reason").GetString());
        await a.CallAsync(c);
    }

    [Fact]
    public async Task Glare_BothCallEachOtherAtOnce_OneCallAnsweredForBoth()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await AdmitAndConnectAsync(_server, _http, "A" + round);
            var b = await AdmitAndConnectAsync(_server, _http, "B" + round);
            var fromA = a.Socket.RequestAsync("voip.call", new { to = b.Id, media = "audio" });
            var fromB = b.Socket.RequestAsync("voip.call", new { to = a.Id, media = "audio" });
            var replies = await Task.WhenAll(fromA, fromB);
            foreach (var reply in replies) reply.AssertOk();
            Assert.Equal(replies[0].Result.GetProperty("call_id").GetString(), replies[1].Result.GetProperty("call_id").GetString());
            // The first invite rang; the second found the other's ringing call and answered it.
            var glare = Assert.Single(replies, r => r.Result.GetProperty("glare").GetBoolean());
            Assert.Equal("active", glare.Result.GetProperty("state").GetString());
            Assert.Equal("ringing", Assert.Single(replies, r => !r.Result.GetProperty("glare").GetBoolean()).Result.GetProperty("state").GetString());
            var callId = replies[0].Result.GetProperty("call_id").GetString();
            Assert.Equal(callId, (await a.Socket.NextEventAsync("accepted")).GetProperty("call_id").GetString());
            Assert.Equal(callId, (await b.Socket.NextEventAsync("accepted")).GetProperty("call_id").GetString());
            (await a.Socket.RequestAsync("voip.hangup", new { call_id = callId })).AssertOk();
            await b.Socket.NextEventAsync("ended");
            await a.Socket.DisposeAsync();
            await b.Socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task BadInput_UnknownCallee_OtherTenants_AndOthersInboxes_AreRefused()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var elsewhere = await ConnectAsync(_server.WebSocketUri, await AdmitAsync(_http, "Other", tenant: "acme"));
        var offline = await AdmitAsync(_http, "Offline");

        Assert.Equal("voip_unreachable", (await a.Socket.RequestAsync("voip.call", new { to = "0123456789abcdef0123456789abcdef" })).ErrorCode);
        Assert.Equal("voip_unreachable", (await a.Socket.RequestAsync("voip.call", new { to = elsewhere.Id })).ErrorCode);
        Assert.Equal("voip_unreachable", (await a.Socket.RequestAsync("voip.call", new { to = offline.Id })).ErrorCode);
        Assert.Equal("bad_request", (await a.Socket.RequestAsync("voip.call", new { to = a.Id })).ErrorCode);
        Assert.Equal("bad_request", (await a.Socket.RequestAsync("voip.call", new { to = elsewhere.Id, media = "fax" })).ErrorCode);
        Assert.Equal("bad_request", (await a.Socket.RequestAsync("voip.accept", new { })).ErrorCode);
        Assert.Equal("forbidden", (await a.Socket.RequestAsync("subscribe", new { channel = "voip:" + elsewhere.Id })).ErrorCode);
        Assert.Equal("forbidden", (await a.Socket.RequestAsync("publish", new { channel = "voip:" + a.Id, data = new { type = "ended" } })).ErrorCode);
        Assert.Equal("forbidden", (await a.Socket.RequestAsync("presence", new { scope = "voip/acme" })).ErrorCode);

        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var callId = await EstablishAsync(a, b);
        var huge = new string('x', 17_000);
        Assert.Equal("limit_exceeded", (await a.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "offer", data = new { sdp = huge } })).ErrorCode);
        Assert.Equal("bad_request", (await a.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "chat", data = new { } })).ErrorCode);
        // A third party cannot signal into the call.
        Assert.Equal("voip_no_call", (await elsewhere.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "ice", data = new { } })).ErrorCode);

        // A user without a VoIP role gets nothing of the module.
        await using var driver = await _server.ConnectAsync("driver1");
        Assert.Equal("forbidden", (await driver.RequestAsync("voip.call", new { to = a.Id })).ErrorCode);
    }

    [Fact]
    public async Task SignedInUserOfTheTenant_CallsAGuest_AndIsCalledBack()
    {
        var guest = await AdmitAndConnectAsync(_server, _http, "Guest");
        var issuer = _server.Services.GetRequiredService<Heartline.Core.Auth.TokenIssuer>();
        var staff = new TestGuest("staff-1", "상담원",
            issuer.Mint("staff-1", "상담원", ["voip_user"], null, TimeSpan.FromHours(1), Heartline.Core.Auth.PrincipalKind.User, "public"));
        await ConnectAsync(_server.WebSocketUri, staff);
        var elsewhere = new TestGuest("staff-2", "Other tenant",
            issuer.Mint("staff-2", "Other tenant", ["voip_user"], null, TimeSpan.FromHours(1), Heartline.Core.Auth.PrincipalKind.User, "acme"));
        await ConnectAsync(_server.WebSocketUri, elsewhere);

        var callId = await EstablishAsync(staff, guest);
        (await guest.Socket.RequestAsync("voip.hangup", new { call_id = callId })).AssertOk();
        await staff.Socket.NextEventAsync("ended", callId);
        await EstablishAsync(guest, staff);
        Assert.Equal("voip_unreachable", (await elsewhere.Socket.RequestAsync("voip.call", new { to = guest.Id })).ErrorCode);
        // A user renews with its own identity provider, not voip.renew.
        Assert.Equal("forbidden", (await staff.Socket.RequestAsync("voip.renew")).ErrorCode);
    }

    [Fact]
    public async Task Presence_GuestsOfATenantSeeEachOther()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var list = await a.Socket.RequestAsync("presence", new { scope = "voip/public" });
        list.AssertOk();
        var ids = list.Result.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user_id").GetString()).ToList();
        Assert.Contains(a.Id, ids);
        Assert.Contains(b.Id, ids);
    }

    [Fact]
    public async Task Stats_CountGuestsAndCalls_InTheAdminStats()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        await EstablishAsync(a, b);
        await AdmitAsync(_http, "never connects");
        var stats = (await JsonAsync(await _admin.GetAsync("/api/admin/stats"))).GetProperty("modules").GetProperty("voip");
        Assert.Equal(3, stats.GetProperty("guests_total").GetInt64());
        Assert.Equal(2, stats.GetProperty("guests_connected").GetInt64());
        Assert.Equal(2, stats.GetProperty("guests_responsive").GetInt64());
        Assert.Equal(2, stats.GetProperty("guests_in_call").GetInt64());
        Assert.Equal(1, stats.GetProperty("calls_active").GetInt64());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/voip/stats")).StatusCode);
        using var guest = new HttpClient { BaseAddress = _server.BaseAddress };
        guest.DefaultRequestHeaders.Authorization = new("Bearer", a.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync("/api/voip/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/api/voip/stats")).StatusCode);
    }

    private async Task<string[]> EventTypes(string callId)
    {
        var page = await JsonAsync(await _admin.GetAsync("/api/admin/events?scope=voip/public&limit=1000"));
        return [.. page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("session_id").GetString() == callId)
            .Select(e => e.GetProperty("type").GetString()!)];
    }
}
