using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Heartline.Tests.Infrastructure;
using static Heartline.Tests.Voip.VoipTestKit;

namespace Heartline.Tests.Voip;

/// <summary>Admission rules, the seed's purge endpoints and the ICE servers, on the real server.</summary>
public sealed class VoipAdminTests : IAsyncLifetime
{
    private const string TurnSecret = "a-test-secret-of-some-length";
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Voip:InvitationCodes:acme"] = "open-sesame",
            ["Voip:Ice:StunUrls:0"] = "stun:127.0.0.1:3478",
            ["Voip:Ice:TurnUrls:0"] = "turn:127.0.0.1:3478?transport=udp",
            ["Voip:Ice:TurnSecret"] = TurnSecret,
            ["Voip:AdmissionsPerMinutePerIp"] = "12",
        });
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
    public async Task Admission_ValidatesNamesAndInvitations_AndIsRateLimitedPerAddress()
    {
        foreach (var bad in new object[] { new { name = "" }, new { name = "   " }, new { name = new string('가', 41) }, new { name = "a\u0007b" }, new { } })
            await AssertProblemAsync(await _http.PostAsJsonAsync("/api/voip/guests", bad), HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(await _http.PostAsJsonAsync("/api/voip/guests", new { name = "x", tenant = "not a tenant!" }), HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(await _http.PostAsJsonAsync("/api/voip/guests", new { name = "x", tenant = "acme" }), HttpStatusCode.Forbidden, "voip_invitation_required");
        await AssertProblemAsync(await _http.PostAsJsonAsync("/api/voip/guests", new { name = "x", tenant = "acme", invitation = "wrong" }), HttpStatusCode.Forbidden, "voip_invitation_required");
        var invited = await JsonAsync(await _http.PostAsJsonAsync("/api/voip/guests", new { name = "  초대받은 손님 ", tenant = "acme", invitation = "open-sesame" }));
        Assert.Equal("초대받은 손님", invited.GetProperty("name").GetString());
        Assert.Equal("acme", invited.GetProperty("tenant").GetString());

        // 12 requests a minute per address: the 9 above counted (refused or not), so 3 more are admitted and the next refused.
        for (var i = 0; i < 3; i++) await AdmitAsync(_http, "g" + i);
        await AssertProblemAsync(await _http.PostAsJsonAsync("/api/voip/guests", new { name = "one too many" }), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task RemovingAGuest_ClosesItsSocketWith4503_EndsItsCall_AndItsTokenNoLongerConnects()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var callId = await EstablishAsync(a, b);

        Assert.Equal(HttpStatusCode.Forbidden, (await GuestHttp(b).DeleteAsync($"/auth/guest/{a.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.DeleteAsync($"/auth/guest/{a.Id}")).StatusCode);
        var removed = await JsonAsync(await _admin.DeleteAsync($"/auth/guest/{a.Id}"));
        Assert.Equal(1, removed.GetProperty("removed").GetInt32());
        Assert.Equal(1, removed.GetProperty("disconnected").GetInt32());
        Assert.Equal(4503, await a.Socket.WaitClosedAsync(Wait));
        var ended = await b.Socket.NextEventAsync("ended");
        Assert.Equal(callId, ended.GetProperty("call_id").GetString());
        Assert.Equal("removed", ended.GetProperty("reason").GetString());

        await using var again = await WsClient.OpenAsync(_server.WebSocketUri);
        Assert.Equal("voip_guest_gone", (await again.RequestAsync("connect", new { token = a.Token })).ErrorCode);
        await AssertProblemAsync(await _admin.DeleteAsync($"/auth/guest/{a.Id}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Purges_OfIdentitiesAndOfCallRecords_RemoveWhatTheyDocument()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var finished = await EstablishAsync(a, b);
        (await a.Socket.RequestAsync("voip.hangup", new { call_id = finished })).AssertOk();
        await b.Socket.NextEventAsync("ended");
        var ongoing = await EstablishAsync(b, a);
        await AdmitAsync(_http, "never connected");

        await AssertProblemAsync(await _admin.DeleteAsync("/auth/guest/cleanup?before=yesterday"), HttpStatusCode.BadRequest, "bad_request");
        await AssertProblemAsync(await _admin.DeleteAsync("/guests/cleanup"), HttpStatusCode.BadRequest, "bad_request");
        // Stale: not connected since the time. Connected guests stay; the guest that never connected goes.
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        var stale = await JsonAsync(await _admin.DeleteAsync($"/auth/guest/cleanup?before={future}"));
        Assert.Equal(1, stale.GetProperty("removed").GetInt32());
        Assert.Equal(0, stale.GetProperty("disconnected").GetInt32());

        // Call records: the ended call goes, the ongoing one stays.
        var records = await JsonAsync(await _admin.DeleteAsync("/guests/cleanup?before=2000-01-01T00:00:00Z"));
        Assert.Equal(0, records.GetProperty("removed").GetInt32());
        records = await JsonAsync(await _admin.DeleteAsync("/guests/cleanup-all"));
        Assert.Equal(1, records.GetProperty("removed").GetInt32());
        var left = (await JsonAsync(await _admin.GetAsync($"/api/voip/calls?party={a.Id}"))).GetProperty("items");
        Assert.Equal(ongoing, Assert.Single(left.EnumerateArray()).GetProperty("id").GetString());

        var all = await JsonAsync(await _admin.DeleteAsync("/auth/guest/cleanup-all"));
        Assert.Equal(2, all.GetProperty("removed").GetInt32());
        Assert.Equal(2, all.GetProperty("disconnected").GetInt32());
        Assert.Equal(4503, await a.Socket.WaitClosedAsync(Wait));
        Assert.Equal(4503, await b.Socket.WaitClosedAsync(Wait));
        Assert.Equal(0, (await JsonAsync(await _admin.GetAsync("/api/voip/stats"))).GetProperty("guests_total").GetInt64());
    }

    [Fact]
    public async Task IceServers_GiveTurnRestCredentials_ThatTheSharedSecretVerifies()
    {
        var guest = await AdmitAsync(_http, "Behind NAT");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/voip/ice-servers")).StatusCode);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = await JsonAsync(await GuestHttp(guest).GetAsync("/api/voip/ice-servers"));
        var servers = body.GetProperty("ice_servers").EnumerateArray().ToList();
        Assert.Equal("stun:127.0.0.1:3478", servers[0].GetProperty("urls")[0].GetString());
        var turn = servers[1];
        var username = turn.GetProperty("username").GetString()!;
        var parts = username.Split(':');
        Assert.Equal(guest.Id, parts[1]);
        Assert.InRange(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) - before, 86_400 - 5, 86_400 + 5);
#pragma warning disable CA5350 // the TURN REST API's own algorithm
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(TurnSecret), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
        Assert.Equal(expected, turn.GetProperty("credential").GetString());
    }

    private HttpClient GuestHttp(TestGuest guest)
    {
        var http = _server.CreateHttpClient(guest.Token);
        return http;
    }
}
