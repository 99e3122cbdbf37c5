using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Core.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>A question's life on a real server: answers, accepting with points, receipts and unread counts across devices, history.</summary>
public sealed class QnaRoomTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Accept_OnlyTheAsker_Once_CreditsThePointsLedger_AndTellsTheRoomAndTheAnswerer()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var helper = await _server.JoinAsync("helper", Places.OneKmEast);
        var other = await _server.JoinAsync("other");
        var questionId = await asker.AskAsync();
        (await other.Socket.RequestAsync("subscribe", new { channel = "qna:q." + questionId })).AssertOk();
        var answerId = (await helper.AnswerAsync(questionId)).GetProperty("id").GetString()!;
        var own = (await asker.AnswerAsync(questionId, "저도 궁금해요")).GetProperty("id").GetString()!;

        Assert.Equal("qna_not_owner", (await other.Socket.RequestAsync("qna.accept", new { answer_id = answerId })).ErrorCode);
        Assert.Equal("bad_request", (await asker.Socket.RequestAsync("qna.accept", new { answer_id = own })).ErrorCode);
        Assert.Equal("qna_not_found", (await asker.Socket.RequestAsync("qna.accept", new { answer_id = "nope" })).ErrorCode);
        var accepted = await asker.Socket.RequestAsync("qna.accept", new { answer_id = answerId });
        accepted.AssertOk();
        Assert.Equal(10, accepted.Result.GetProperty("points").GetInt64());
        Assert.Equal("qna_already_accepted", (await asker.Socket.RequestAsync("qna.accept", new { answer_id = answerId })).ErrorCode);

        var inRoom = await other.Socket.NextRoomAsync(questionId, "accepted");
        Assert.Equal(answerId, inRoom.GetProperty("answer_id").GetString());
        var toHelper = (await helper.NextInboxAsync("notification", questionId)).GetProperty("notification");
        while (toHelper.GetProperty("kind").GetString() != "accepted")
            toHelper = (await helper.NextInboxAsync("notification", questionId)).GetProperty("notification");
        Assert.Equal("low", toHelper.GetProperty("priority").GetString());
        Assert.Equal(10, toHelper.GetProperty("points").GetInt64());
        Assert.Equal(10, (await helper.Socket.RequestAsync("qna.points")).Result.GetProperty("points").GetInt64());
        Assert.Equal(0, (await asker.Socket.RequestAsync("qna.points")).Result.GetProperty("points").GetInt64());

        var question = (await asker.Socket.RequestAsync("qna.get", new { question_id = questionId })).Result;
        Assert.Equal("accepted", question.GetProperty("question").GetProperty("status").GetString());
        Assert.Equal(answerId, question.GetProperty("question").GetProperty("accepted_answer_id").GetString());
        Assert.Equal(2, question.GetProperty("answers").GetArrayLength());
    }

    [Fact]
    public async Task RoomPresence_ListsWhoHasTheQuestionOpen_AnnouncesArrivalsAndDepartures_ToQnaUsersOnly()
    {
        // A long leave grace, so that leaving on purpose (at once) and dropping (after the grace) can't be confused.
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Presence:LeaveGraceSeconds"] = "600",
        });
        var asker = await server.JoinAsync("asker", Places.Aewol);
        var helper = await server.JoinAsync("helper", Places.OneKmEast);
        var questionId = await asker.AskAsync();
        var room = "qna:q." + questionId;
        var presence = "presence:" + room;
        async Task<string> NextAsync(WsClient socket)
        {
            var push = await socket.NextPushAsync(p => p.GetProperty("push").GetString() == "pub" && p.GetProperty("channel").GetString() == presence, Wait);
            return push.GetProperty("data").GetProperty("event").GetString() + ":" + push.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString();
        }
        async Task<string[]> ListAsync(WsClient socket)
        {
            var reply = await socket.RequestAsync("presence", new { scope = room });
            Assert.True(reply.IsOk, reply.Frame.ToString());
            return [.. reply.Result.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user_id").GetString()!).Order()];
        }

        (await helper.Socket.RequestAsync("subscribe", new { channel = presence })).AssertOk();
        (await helper.Socket.RequestAsync("subscribe", new { channel = room })).AssertOk();
        Assert.Equal("online:helper", await NextAsync(helper.Socket));
        (await asker.Socket.RequestAsync("subscribe", new { channel = room })).AssertOk();
        Assert.Equal("online:asker", await NextAsync(helper.Socket));
        Assert.Equal(["asker", "helper"], await ListAsync(asker.Socket));

        // Closing the room is leaving it: announced at once, not after the 10-minute grace.
        (await asker.Socket.RequestAsync("unsubscribe", new { channel = room })).AssertOk();
        Assert.Equal("offline:asker", await NextAsync(helper.Socket));
        Assert.Equal(["helper"], await ListAsync(helper.Socket));

        // A dropped phone stays listed for the grace (it may come back), like any presence.
        (await asker.Socket.RequestAsync("subscribe", new { channel = room })).AssertOk();
        Assert.Equal("online:asker", await NextAsync(helper.Socket));
        asker.Socket.Abort();
        var tracker = server.Services.GetRequiredService<IPresence>();
        await Eventually.TrueAsync(async () => !await tracker.IsConnectedAsync("asker"), "the server ends the asker's connection", Wait);
        Assert.Equal(["asker", "helper"], await ListAsync(helper.Socket));

        // Only those who may open the room see who is in it; a room's presence is not a scope a client can post to.
        var driver = await server.ConnectAsync("driver");
        Assert.Equal("forbidden", (await driver.RequestAsync("presence", new { scope = room })).ErrorCode);
        Assert.Equal("forbidden", (await driver.RequestAsync("subscribe", new { channel = presence })).ErrorCode);
        Assert.Equal("forbidden", (await helper.Socket.RequestAsync("presence", new { scope = "qna:u.helper" })).ErrorCode);
        Assert.Equal("forbidden", (await helper.Socket.RequestAsync("publish", new { channel = presence, data = new { } })).ErrorCode);
    }

    [Fact]
    public async Task Receipts_ReachTheRoom_AndUnreadCountsFollowTheUserOnEveryDevice()
    {
        var phone = await _server.JoinAsync("asker", Places.Aewol);
        var tablet = await _server.JoinAsync("asker");
        var helper = await _server.JoinAsync("helper", Places.OneKmEast);
        var questionId = await phone.AskAsync();
        (await helper.Socket.RequestAsync("subscribe", new { channel = "qna:q." + questionId })).AssertOk();

        await helper.AnswerAsync(questionId, "첫 번째");
        Assert.Equal(1, (await tablet.NextInboxAsync("unread", questionId)).GetProperty("unread").GetInt64());
        await helper.AnswerAsync(questionId, "두 번째");
        Assert.Equal(2, (await tablet.NextInboxAsync("unread", questionId)).GetProperty("unread").GetInt64());
        var unread = (await phone.Socket.RequestAsync("qna.unread")).Result;
        Assert.Equal(questionId, unread.GetProperty("questions")[0].GetProperty("question_id").GetString());
        Assert.Equal(2, unread.GetProperty("questions")[0].GetProperty("unread").GetInt64());
        Assert.Equal(2, unread.GetProperty("notifications").GetInt64());

        // Delivered to the phone, then read on it: the helper sees both; the tablet's count drops.
        (await phone.Socket.RequestAsync("qna.receipt", new { question_id = questionId, delivered_seq = 2 })).AssertOk();
        var delivered = await helper.Socket.NextRoomAsync(questionId, "receipt");
        Assert.Equal((2L, 0L), (delivered.GetProperty("delivered_seq").GetInt64(), delivered.GetProperty("read_seq").GetInt64()));
        var read = await phone.Socket.RequestAsync("qna.receipt", new { question_id = questionId, read_seq = 1 });
        Assert.Equal(2, read.Result.GetProperty("delivered_seq").GetInt64());
        Assert.Equal(1, (await helper.Socket.NextRoomAsync(questionId, "receipt")).GetProperty("read_seq").GetInt64());
        Assert.Equal(1, (await tablet.NextInboxAsync("unread", questionId)).GetProperty("unread").GetInt64());
        (await tablet.Socket.RequestAsync("qna.receipt", new { question_id = questionId, read_seq = 2 })).AssertOk();
        // The phone saw its own counts go by (1, 2, then 1 after its receipt): the last one is 0.
        while ((await phone.NextInboxAsync("unread", questionId)).GetProperty("unread").GetInt64() != 0)
        {
        }
        // Positions never go back, and stay within the answers there are.
        Assert.Equal(2, (await phone.Socket.RequestAsync("qna.receipt", new { question_id = questionId, read_seq = 1 })).Result.GetProperty("read_seq").GetInt64());
        Assert.Equal("bad_request", (await phone.Socket.RequestAsync("qna.receipt", new { question_id = questionId, read_seq = 3 })).ErrorCode);
        var reads = (await phone.Socket.RequestAsync("qna.get", new { question_id = questionId })).Result.GetProperty("reads");
        Assert.Equal("asker", reads[0].GetProperty("user_id").GetString());
        Assert.Equal(2, reads[0].GetProperty("read_seq").GetInt64());
    }

    [Fact]
    public async Task NotificationHistory_ListsNewestFirst_AndReadStateSyncsAcrossDevices()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var phone = await _server.JoinAsync("local", Places.OneKmEast);
        var tablet = await _server.JoinAsync("local");
        var first = await asker.AskAsync("첫 질문");
        var urgent = await asker.AskAsync("급해요: 약국 어디 열었나요?", urgency: "urgent");
        await phone.NextInboxAsync("notification", first);
        var live = (await phone.NextInboxAsync("notification", urgent)).GetProperty("notification");
        Assert.Equal(("high", "urgent", "strong"), (live.GetProperty("priority").GetString(), live.GetProperty("sound").GetString(), live.GetProperty("vibration").GetString()));

        var listReply = await tablet.Socket.RequestAsync("qna.notifications", new { limit = 10 });
        Assert.True(listReply.IsOk, listReply.Frame.ToString());
        var list = listReply.Result;
        Assert.Equal(2, list.GetProperty("unread").GetInt64());
        var items = list.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal([urgent, first], items.Select(i => i.GetProperty("notification").GetProperty("question").GetProperty("id").GetString()!));
        var urgentId = items[0].GetProperty("notification").GetProperty("id").GetString()!;
        Assert.Equal(1, (await phone.Socket.RequestAsync("qna.notifications_read", new { ids = new[] { urgentId } })).Result.GetProperty("count").GetInt64());
        Assert.Equal(urgentId, (await tablet.NextInboxAsync("read")).GetProperty("ids")[0].GetString());
        list = (await tablet.Socket.RequestAsync("qna.notifications")).Result;
        Assert.Equal(1, list.GetProperty("unread").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, list.GetProperty("items")[0].GetProperty("read_at").ValueKind);
        Assert.Equal(1, (await tablet.Socket.RequestAsync("qna.notifications_read")).Result.GetProperty("count").GetInt64());
        Assert.Equal("bad_request", (await tablet.Socket.RequestAsync("qna.notifications", new { limit = 1000 })).ErrorCode);
    }

    [Fact]
    public async Task Nearby_OpenQuestionsWithinThreeKilometres_NearestFirst_Paged_OverTheSocketAndHttp()
    {
        var asker = await _server.JoinAsync("asker");
        var ids = new List<string>();
        // Seven questions 300 m apart going east from 애월: the last two are beyond 3 km... no: 7 × 300 m = 2.1 km; add one at 4 km.
        for (var i = 0; i < 7; i++) ids.Add(await asker.AskAsync($"질문 {i}", at: (Places.Aewol.Lat, Places.Aewol.Lng + i * 0.0033)));
        await asker.AskAsync("멀리", at: Places.FourKmEast);
        var closed = await asker.AskAsync("닫힌 질문", at: Places.Aewol);
        (await asker.Socket.RequestAsync("qna.close", new { question_id = closed })).AssertOk();

        var top = (await asker.Socket.RequestAsync("qna.nearby", new { lat = Places.Aewol.Lat, lng = Places.Aewol.Lng })).Result;
        Assert.Equal(7, top.GetProperty("total").GetInt32());
        Assert.Equal(ids.Take(5), top.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("id").GetString()!));
        var distances = top.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("distance_m").GetInt64()).ToArray();
        Assert.Equal(distances.Order(), distances);

        using var http = _server.CreateHttpClient(_server.Token("asker", role: Role));
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/qna/questions/nearby?lat={Places.Aewol.Lat}&lng={Places.Aewol.Lng}&limit=5&offset=5").WaitAsync(Wait);
        Assert.Equal(ids[5..], page.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("id").GetString()!));
        using var outside = await http.GetAsync($"/api/qna/questions/nearby?lat={Places.Seoul.Lat}&lng={Places.Seoul.Lng}").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.StatusCode);
        Assert.Equal("qna_outside_jeju", (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var one = await http.GetFromJsonAsync<JsonElement>($"/api/qna/questions/{ids[0]}").WaitAsync(Wait);
        Assert.Equal("aewol", one.GetProperty("question").GetProperty("region").GetProperty("code").GetString());
        Assert.Equal("애월", one.GetProperty("question").GetProperty("region").GetProperty("name_ko").GetString());
        using var missing = await http.GetAsync("/api/qna/questions/nope").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var driver = _server.CreateHttpClient(_server.Token("driver"));
        using var forbidden = await driver.GetAsync($"/api/qna/questions/{ids[0]}").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
