using System.Net;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Ptt;
using Heartline.Ptt.Agora;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Ptt;

public sealed class PttHttpApiTests : RealServerTest
{
    // The official test inputs of the reference; configuration, never code, in a deployment.
    private const string AppId = "970CA35de60c44645bbae8a215061b33";
    private const string AppCertificate = "5CFd2fd1755d40ecb72977518be15d3b";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Ptt:Agora:AppId"] = AppId,
        ["Ptt:Agora:AppCertificate"] = AppCertificate,
        ["Ptt:Agora:TokenExpireSeconds"] = "600",
        ["Ptt:MaxTalkMs"] = "1500",
    };

    private HttpClient Http(string userId, string role = Roles.PickupDriver, string office = "o1") =>
        Server.CreateHttpClient(Server.Token(userId, office, role));

    [Fact]
    public async Task Token_ForTheSpeaker_IsPublisher_ForAListener_IsJoinOnly_AndExpiresAsConfigured()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await speaker.PressAsync();
        using var speakerHttp = Http("drv1");
        using var listenerHttp = Http("drv2");

        var publisher = await (await speakerHttp.PostAsJsonAsync("/api/ptt/token", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var subscriber = await (await listenerHttp.PostAsJsonAsync("/api/ptt/token", new { })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("publisher", publisher.GetProperty("role").GetString());
        Assert.Equal("subscriber", subscriber.GetProperty("role").GetString());
        Assert.True(AgoraTokenBuilder.TryParse(publisher.GetProperty("token").GetString()!, out var pub));
        Assert.True(AgoraTokenBuilder.TryParse(subscriber.GetProperty("token").GetString()!, out var sub));
        Assert.True(AgoraTokenBuilder.Verify(publisher.GetProperty("token").GetString()!, AppCertificate));
        Assert.Equal("ptt_r1_o1", pub!.ChannelName);
        Assert.Equal([1, 2, 3, 4], pub.Privileges.Keys.Order().Select(k => (int)k));
        Assert.Equal([1], sub!.Privileges.Keys.Select(k => (int)k));
        Assert.Equal(600u, sub.Expire);
        Assert.Equal(PttApi.AgoraUid("drv2").ToString(System.Globalization.CultureInfo.InvariantCulture), sub.Uid);
        Assert.NotEqual(pub.Uid, sub.Uid);
    }

    [Fact]
    public async Task Token_ForAnotherOffice_Is403_WithoutToken_Is401()
    {
        using var http = Http("drv1");
        using var anonymous = Server.CreateHttpClient();

        var other = await http.PostAsJsonAsync("/api/ptt/token", new { office = "r1_o2" });

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("forbidden", await other.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/ptt/token", new { })).StatusCode);
    }

    [Fact]
    public async Task Token_ForAnOfficeWithLongIds_FitsAgora_AndNamesTheSessionsChannel()
    {
        var region = new string('r', 64);
        var office = new string('o', 64);
        await using var speaker = await Server.ConnectAsync("drv1", office, region: region);
        (await speaker.RequestAsync("subscribe", new { channel = $"ptt:{region}_{office}" })).AssertOk();
        var press = await speaker.PressAsync();
        var started = await speaker.NextPttAsync("session_started");
        using var http = Server.CreateHttpClient(Server.Token("drv1", office, region: region));

        var response = await http.PostAsJsonAsync("/api/ptt/token", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var channel = body.GetProperty("channel").GetString()!;
        Assert.True(AgoraTokenBuilder.TryParse(body.GetProperty("token").GetString()!, out var parsed));
        Assert.Equal(channel, parsed!.ChannelName);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(channel) <= 64);
        Assert.Equal(PttChannels.MediaChannel($"{region}_{office}"), channel);
        Assert.Equal(channel, press.GetProperty("channel").GetString());
        Assert.Equal(channel, started.GetProperty("channel").GetString());
        Assert.Equal("publisher", body.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData("hq")]
    [InlineData("r1_o1_x")]
    [InlineData("r1_o 1")]
    [InlineData("r1_사무실")]
    [InlineData("")]
    public async Task Token_ForAMalformedOffice_Is400BadRequest(string office)
    {
        using var admin = Http("boss", Roles.Admin, "hq");

        var response = await admin.PostAsJsonAsync("/api/ptt/token", new { office });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad_request", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Token_ForAnAdminNamingAnOfficeWithLongIds_IsIssued()
    {
        using var admin = Http("boss", Roles.Admin, "hq");
        var office = new string('r', 64) + "_" + new string('o', 64);

        var response = await admin.PostAsJsonAsync("/api/ptt/token", new { office });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(PttChannels.MediaChannel(office), body.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Token_WhenAgoraIsNotConfigured_Is503()
    {
        await using var plain = await HeartlineServer.StartAsync();
        using var http = plain.CreateHttpClient(plain.Token("drv1"));

        var response = await http.PostAsJsonAsync("/api/ptt/token", new { });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("unavailable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MaxTalkTime_EndsTheSessionEvenWithKeepalives()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await using var listener = await Server.MemberAsync("drv2");
        var epoch = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();
        var keepalives = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                if (!(await speaker.RequestAsync("ptt.keepalive", new { epoch })).IsOk) return;
                await Task.Delay(300);
            }
        });

        var ended = await listener.NextPttAsync("session_ended", TimeSpan.FromSeconds(5));
        await keepalives.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("max_duration", ended.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task OfficeState_OwnOffice_IsVisible_OtherOffice_Is403_AdminSeesAll()
    {
        await using var speaker = await Server.MemberAsync("drv1", name: "김기사");
        await speaker.PressAsync();
        using var own = Http("drv2");
        using var stranger = Http("x1", office: "o2");
        using var admin = Http("boss", Roles.Admin, "hq");

        var state = await own.GetFromJsonAsync<JsonElement>("/api/ptt/offices/r1_o1");

        Assert.True(state.GetProperty("active").GetBoolean());
        Assert.Equal("김기사", state.GetProperty("speaker").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/api/ptt/offices/r1_o1")).StatusCode);
        Assert.True((await admin.GetFromJsonAsync<JsonElement>("/api/ptt/offices/r1_o1")).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Offices_ListActiveOffices_AdminsSeeAll_OthersTheirOwn()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await speaker.PressAsync();
        await using var elsewhere = await Server.MemberAsync("x1", office: "o2");
        using var admin = Http("boss", Roles.Admin, "hq");
        using var stranger = Http("x1", office: "o2");

        var all = await admin.GetFromJsonAsync<JsonElement>("/api/ptt/offices");
        var own = await stranger.GetFromJsonAsync<JsonElement>("/api/ptt/offices");

        Assert.Contains(all.EnumerateArray(), o => o.GetProperty("office").GetString() == "r1_o1" && o.GetProperty("active").GetBoolean());
        Assert.Equal(["r1_o2"], own.EnumerateArray().Select(o => o.GetProperty("office").GetString()));
    }

    [Fact]
    public async Task Events_AndStats_RecordWhatHappened()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await using var other = await Server.MemberAsync("drv2");
        var press = await speaker.PressAsync();
        Assert.Equal("floor_busy", (await other.RequestAsync("ptt.press")).ErrorCode);
        await other.NextPttAsync("session_started");
        Assert.True((await other.RequestAsync("ptt.report", new { session_id = press.GetProperty("session_id").GetString(), notify_ms = 12.5 })).IsOk);
        await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() });
        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await Server.Services.GetRequiredService<PttStore>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var http = Http("drv1");

        var events = await http.GetFromJsonAsync<JsonElement>("/api/ptt/events?office=r1_o1&limit=100");
        var busyOnly = await http.GetFromJsonAsync<JsonElement>("/api/ptt/events?type=PTT_BUSY");
        var firstPage = await http.GetFromJsonAsync<JsonElement>("/api/ptt/events?limit=1");
        var stats = await http.GetFromJsonAsync<JsonElement>("/api/ptt/stats?office=r1_o1");

        var types = events.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("SESSION_STARTED", types);
        Assert.Contains("SESSION_ENDED", types);
        // drv2 listened from the start: named in SESSION_STARTED, not a USER_JOINED of its own (one event per press).
        Assert.DoesNotContain("USER_JOINED", types);
        var started = events.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "SESSION_STARTED");
        var startedMetadata = JsonDocument.Parse(started.GetProperty("metadata").GetString()!).RootElement;
        Assert.Equal(["drv2"], JsonSerializer.Deserialize<string[]>(startedMetadata.GetProperty("listeners").GetString()!)!);
        Assert.Equal("1", startedMetadata.GetProperty("participants").GetString());
        Assert.Contains("PTT_BUSY", types);
        // Presence events belong to the core's log (scope presence:{office}), not to the PTT events of section 10.4.
        Assert.DoesNotContain("USER_ONLINE", types);
        Assert.DoesNotContain("USER_OFFLINE", types);
        Assert.All(busyOnly.GetProperty("items").EnumerateArray(), e => Assert.Equal("PTT_BUSY", e.GetProperty("type").GetString()));
        Assert.True(firstPage.GetProperty("next_after").GetInt64() > 0);
        Assert.Equal(1, stats.GetProperty("sessions").GetInt32());
        Assert.Equal(1, stats.GetProperty("busy_presses").GetInt32());
        Assert.Equal(0.5, stats.GetProperty("busy_rate").GetDouble());
        Assert.Equal(1, stats.GetProperty("peak_participants").GetInt32());
        Assert.Equal(12.5, stats.GetProperty("notify_avg_ms").GetDouble());
        Assert.True(stats.GetProperty("press_to_grant_p95_ms").GetDouble() >= 0);
        Assert.Equal(1, stats.GetProperty("end_reasons").GetProperty("released").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/ptt/stats?date=yesterday")).StatusCode);
        // Out of the supported range is a bad request with a problem document, never a 500.
        foreach (var date in new[] { "0001-01-01", "1969-12-31", "9999-12-31" })
        {
            using var response = await http.GetAsync($"/api/ptt/stats?date={date}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("bad_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/ptt/events?office=r1_o2")).StatusCode);
    }

    [Fact]
    public async Task SessionDrillDown_ListsWhoListened_JoinedAndLeftWhen_WithTheirReports_AndItsEventsByName_InTheOfficeOnly()
    {
        await using var speaker = await Server.MemberAsync("drv1", name: "김기사");
        await using var phone = await Server.MemberAsync("drv2", name: "이기사", device: "galaxy");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString()!;
        await phone.NextPttAsync("session_started");
        Assert.True((await phone.RequestAsync("ptt.report", new { session_id = sessionId, notify_ms = 8.0, token_ms = 30.0, join_ms = 250.0 })).IsOk);
        var epoch = press.GetProperty("epoch").GetInt64();
        uint seq = 0;
        async Task TalkAsync(int frames, params WsClient[] hearing)
        {
            for (var i = 0; i < frames; i++) await speaker.SendAsync(FloorControlTests.Audio(epoch, ++seq), System.Net.WebSockets.WebSocketMessageType.Binary);
            // Each listener has them all before the next step (so who heard what is not a race of the test).
            foreach (var listener in hearing)
                for (var i = 0; i < frames; i++) await listener.NextBinaryAsync(TimeSpan.FromSeconds(10));
        }
        await TalkAsync(3, phone);
        // A call manager comes on mid-transmission; the driver's phone drops before the end.
        await using var manager = await Server.MemberAsync("cm1", Roles.CallManager, name: "배차실");
        await speaker.NextPttAsync("participant_joined");
        await TalkAsync(2, phone, manager);
        await phone.CloseAsync();
        await speaker.NextPttAsync("participant_left");
        await TalkAsync(4, manager);
        await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() });
        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await Server.Services.GetRequiredService<PttStore>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var http = Http("cm1", Roles.CallManager);

        var session = await http.GetFromJsonAsync<JsonElement>($"/api/ptt/sessions/{sessionId}").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(("r1_o1", "drv1", "김기사", "released"), (session.GetProperty("office").GetString(), session.GetProperty("speaker").GetProperty("user_id").GetString(),
            session.GetProperty("speaker").GetProperty("name").GetString(), session.GetProperty("end_reason").GetString()));
        Assert.True(session.GetProperty("duration_ms").GetInt64() >= 0);
        var listeners = session.GetProperty("listeners").EnumerateArray().ToArray();
        Assert.Equal(["drv2", "cm1"], listeners.Select(l => l.GetProperty("user_id").GetString()));
        var driver = listeners[0];
        Assert.Equal(("이기사", "galaxy", 8.0, 250.0), (driver.GetProperty("name").GetString(), driver.GetProperty("device").GetString(),
            driver.GetProperty("notify_ms").GetDouble(), driver.GetProperty("join_ms").GetDouble()));
        Assert.NotEqual(JsonValueKind.Null, driver.GetProperty("left_at").ValueKind);
        // Did each of them hear it? The driver the first 5 frames before its phone dropped, the manager the last 6.
        Assert.Equal((9L, 5L, 6L), (session.GetProperty("frames_relayed").GetInt64(), driver.GetProperty("frames_heard").GetInt64(),
            listeners[1].GetProperty("frames_heard").GetInt64()));
        Assert.True(driver.GetProperty("joined_at").GetInt64() <= listeners[1].GetProperty("joined_at").GetInt64());

        // The session's events, with the names of who joined and left.
        var events = await http.GetFromJsonAsync<JsonElement>($"/api/ptt/events?session_id={sessionId}").WaitAsync(TimeSpan.FromSeconds(10));
        var items = events.GetProperty("items").EnumerateArray().ToArray();
        Assert.All(items, e => Assert.Equal(sessionId, e.GetProperty("session_id").GetString()));
        Assert.Equal("SESSION_STARTED", items[0].GetProperty("type").GetString());
        Assert.Equal("SESSION_ENDED", items[^1].GetProperty("type").GetString());
        string NameIn(JsonElement e) => JsonDocument.Parse(e.GetProperty("metadata").GetString()!).RootElement.GetProperty("name").GetString()!;
        // 이기사 listened from the start (SESSION_STARTED names it); 배차실 came on mid-transmission.
        Assert.Equal(["drv2"], JsonSerializer.Deserialize<string[]>(
            JsonDocument.Parse(items[0].GetProperty("metadata").GetString()!).RootElement.GetProperty("listeners").GetString()!)!);
        Assert.Equal(["배차실"], items.Where(e => e.GetProperty("type").GetString() == "USER_JOINED").Select(NameIn));
        Assert.Equal(["이기사"], items.Where(e => e.GetProperty("type").GetString() == "USER_LEFT").Select(NameIn));

        // Another office's user learns nothing of it, not even that it exists; an unknown id is the same answer.
        using var stranger = Http("drv9", office: "o2");
        using var otherOffice = await stranger.GetAsync($"/api/ptt/sessions/{sessionId}");
        Assert.Equal(HttpStatusCode.NotFound, otherOffice.StatusCode);
        Assert.Equal("not_found", (await otherOffice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/ptt/sessions/no-such-session")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/ptt/sessions/{new string('x', 200)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/ptt/events?session_id={new string('x', 200)}")).StatusCode);
    }

    [Fact]
    public async Task Operator_EndsAStuckSession_ItsListenersAreTold_AndTheActionIsRecordedWithWhoDidIt()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await using var listener = await Server.MemberAsync("drv2");
        var sessionId = (await speaker.PressAsync()).GetProperty("session_id").GetString()!;
        await listener.NextPttAsync("session_started");
        using var driver = Http("drv2");
        using var otherManager = Http("cm9", Roles.CallManager, office: "o2");
        using var manager = Http("cm1", Roles.CallManager);

        Assert.Equal(HttpStatusCode.Forbidden, (await driver.PostAsync($"/api/ptt/sessions/{sessionId}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.PostAsync($"/api/ptt/sessions/{sessionId}/end", null)).StatusCode);
        var end = await manager.PostAsync($"/api/ptt/sessions/{sessionId}/end", null);
        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.True((await end.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("done").GetBoolean());

        var ended = await listener.NextPttAsync("session_ended");
        Assert.Equal("ended_by_operator", ended.GetProperty("reason").GetString());
        // Again: nothing left to end.
        var again = await (await manager.PostAsync($"/api/ptt/sessions/{sessionId}/end", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(again.GetProperty("done").GetBoolean());
        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var actions = await manager.GetFromJsonAsync<JsonElement>("/api/ptt/events?type=OPERATOR_ACTION").WaitAsync(TimeSpan.FromSeconds(10));
        var action = Assert.Single(actions.GetProperty("items").EnumerateArray());
        Assert.Equal(("cm1", sessionId), (action.GetProperty("user_id").GetString(), action.GetProperty("session_id").GetString()));
        Assert.Contains("\"action\":\"end_session\"", action.GetProperty("metadata").GetString());

        // The stale cleaner on demand is the administrators'.
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync("/api/ptt/stale-cleaner/run", null)).StatusCode);
        using var admin = Http("root", Roles.Admin);
        var run = await admin.PostAsync("/api/ptt/stale-cleaner/run", null);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal(0, (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Operator_DisconnectsAUser_EveryDeviceClosesWith4504_AndItIsRecorded()
    {
        await using var phone = await Server.MemberAsync("drv2");
        await using var tablet = await Server.MemberAsync("drv2");
        await using var other = await Server.MemberAsync("drv3");
        using var admin = Http("root", Roles.Admin);
        using var manager = Http("cm1", Roles.CallManager);

        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync("/api/admin/users/drv2/disconnect", null)).StatusCode);
        var reply = await admin.PostAsync("/api/admin/users/drv2/disconnect", null);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(2, (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("closed").GetInt32());
        Assert.Equal(4504, await phone.WaitClosedAsync());
        Assert.Equal(4504, await tablet.WaitClosedAsync());
        (await other.RequestAsync("ping")).AssertOk();
        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var recorded = await admin.GetFromJsonAsync<JsonElement>("/api/admin/events?type=USER_DISCONNECTED").WaitAsync(TimeSpan.FromSeconds(10));
        var record = Assert.Single(recorded.GetProperty("items").EnumerateArray());
        Assert.Equal(("drv2", "admin"), (record.GetProperty("user_id").GetString(), record.GetProperty("scope").GetString()));
        Assert.Contains("\"by\":\"root\"", record.GetProperty("metadata").GetString());
    }

    [Fact]
    public async Task Nodes_ListThisNode_WithItsConnectionsByOffice_ForAdminsOnly()
    {
        await using var a = await Server.MemberAsync("drv1");
        await using var b = await Server.MemberAsync("drv2");
        await using var c = await Server.MemberAsync("drv3", office: "o2");
        using var admin = Http("root", Roles.Admin);

        var nodes = await admin.GetFromJsonAsync<JsonElement>("/api/admin/nodes").WaitAsync(TimeSpan.FromSeconds(10));

        var node = Assert.Single(nodes.EnumerateArray());
        Assert.Equal("test-node", node.GetProperty("node_id").GetString());
        Assert.Equal(3, node.GetProperty("connections").GetInt64());
        Assert.Equal([("r1_o1", 2L), ("r1_o2", 1L)], node.GetProperty("scopes").EnumerateArray()
            .Select(s => (s.GetProperty("scope").GetString(), s.GetProperty("connections").GetInt64())));
        using var manager = Http("cm1", Roles.CallManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/api/admin/nodes")).StatusCode);
    }

    [Fact]
    public async Task Stats_SpeakersOwnReport_CountsInTheTokenAndJoinAverages()
    {
        await using var speaker = await Server.MemberAsync("drv1");
        await using var listener = await Server.MemberAsync("drv2");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString();
        await listener.NextPttAsync("session_started");

        // The speaker is no participant: its figures go on the session row. Its notify_ms has no meaning and is ignored.
        Assert.True((await speaker.RequestAsync("ptt.report", new { session_id = sessionId, token_ms = 40.0, join_ms = 300.0, notify_ms = 1.0 })).IsOk);
        Assert.True((await listener.RequestAsync("ptt.report", new { session_id = sessionId, notify_ms = 10.0, token_ms = 20.0, join_ms = 100.0 })).IsOk);
        await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() });
        await Server.Services.GetRequiredService<PttStore>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var http = Http("drv1");

        var stats = await http.GetFromJsonAsync<JsonElement>("/api/ptt/stats?office=r1_o1").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(30.0, stats.GetProperty("token_avg_ms").GetDouble());
        Assert.Equal(200.0, stats.GetProperty("join_avg_ms").GetDouble());
        Assert.Equal(10.0, stats.GetProperty("notify_avg_ms").GetDouble());
    }
}
