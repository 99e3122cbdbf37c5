using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Tests.Infrastructure;
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
