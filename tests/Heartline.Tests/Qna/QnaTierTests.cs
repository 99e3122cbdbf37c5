using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>The seed's tiers on a manual clock: 10 nearest within 2 km at once, 5 km after 3 s, experts after 30 s, the region after 2 min.</summary>
public sealed class QnaTierTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private HeartlineServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" },
            services: s => s.AddSingleton<TimeProvider>(_clock));
        _admin = _server.CreateHttpClient(_server.Token("root", role: Roles.Admin));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Tiers_WidenOnTime_NobodyTwice_NeverTheAsker_NotOtherRegions()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var near = await _server.JoinAsync("near", Places.OneKmEast);
        var fourKm = await _server.JoinAsync("four-km", Places.FourKmEast);
        var inland = await _server.JoinAsync("inland", Places.AewolInland);
        var seongsan = await _server.JoinAsync("seongsan", Places.Seongsan);
        var expert = await _server.JoinAsync("expert", Places.Seogwipo);
        (await expert.Socket.RequestAsync("qna.settings", new { expertise = new[] { "#오름" } })).AssertOk();

        var questionId = await asker.AskAsync(hashtags: ["오름", "parking"]);
        var told = await near.NextInboxAsync("notification", questionId);
        Assert.Equal(1, told.GetProperty("notification").GetProperty("tier").GetInt32());
        Assert.InRange(told.GetProperty("notification").GetProperty("distance_m").GetInt64(), 900, 1100);
        Assert.Equal("normal", told.GetProperty("notification").GetProperty("priority").GetString());
        Assert.Equal(new Dictionary<string, int> { ["near"] = 1 }, await ToldAsync(_admin, questionId));

        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await fourKm.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());
        _clock.Advance(TimeSpan.FromSeconds(27));
        Assert.Equal(3, (await expert.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());
        _clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(4, (await inland.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());

        Assert.Equal(new Dictionary<string, int> { ["near"] = 1, ["four-km"] = 2, ["expert"] = 3, ["inland"] = 4 }, await ToldAsync(_admin, questionId));
        var outcomes = (await _server.AllJobsDoneAsync(questionId)).Select(j => j.Outcome!).ToArray();
        Assert.Equal(["sent: 1", "sent: 1", "sent: 1", "sent: 1"], outcomes);
        Assert.False(seongsan.Socket.TryTakePush(out var stray) && stray.GetProperty("data").GetProperty("type").GetString() == "notification",
            "성산 is another region: tier 4 does not reach it");
    }

    [Fact]
    public async Task Tier1_TellsTheTenNearestWithinTwoKilometres_NearestFirst_TheRestAtTier2()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        // Twelve neighbours 110 m apart going east, from about 110 m to 1.3 km.
        var neighbours = new List<QnaUser>();
        for (var i = 1; i <= 12; i++) neighbours.Add(await _server.JoinAsync($"n{i:00}", (Places.Aewol.Lat, Places.Aewol.Lng + i * 0.0012)));
        var far = await _server.JoinAsync("far", (Places.Aewol.Lat, Places.Aewol.Lng + 0.025)); // 2.3 km: tier 2 only

        var questionId = await asker.AskAsync();
        foreach (var n in neighbours.Take(10)) await n.NextInboxAsync("notification", questionId);
        var told = await ToldAsync(_admin, questionId);
        Assert.Equal(neighbours.Take(10).Select(n => n.Id).Order(), told.Keys.Order());

        _clock.Advance(TimeSpan.FromSeconds(3));
        await far.NextInboxAsync("notification", questionId);
        told = await ToldAsync(_admin, questionId);
        Assert.Equal(2, told["n11"]);
        Assert.Equal(2, told["n12"]);
        Assert.Equal(2, told["far"]);
        Assert.Equal(13, told.Count);
    }

    [Fact]
    public async Task FirstAnswer_CancelsTheTiersStillPending_AndTheAskerHearsOfIt()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var near = await _server.JoinAsync("near", Places.OneKmEast);
        var fourKm = await _server.JoinAsync("four-km", Places.FourKmEast);
        var questionId = await asker.AskAsync();
        await near.NextInboxAsync("notification", questionId);

        var answer = await near.AnswerAsync(questionId, "<b>공영주차장</b> & 해안도로");
        var toAsker = (await asker.NextInboxAsync("notification", questionId)).GetProperty("notification");
        Assert.Equal("answer", toAsker.GetProperty("kind").GetString());
        Assert.Equal("normal", toAsker.GetProperty("priority").GetString());
        // Stored and sent as given: pages encode it when they show it.
        Assert.Equal("<b>공영주차장</b> & 해안도로", toAsker.GetProperty("answer").GetProperty("body").GetString());
        Assert.Equal(1, answer.GetProperty("seq").GetInt64());

        var outcomes = (await _server.AllJobsDoneAsync(questionId)).Select(j => j.Outcome!).ToArray();
        Assert.Equal("sent: 1", outcomes[0]);
        Assert.All(outcomes[1..], o => Assert.Equal("cancelled: answered", o));
        _clock.Advance(TimeSpan.FromMinutes(3));
        (await fourKm.Socket.RequestAsync("ping")).AssertOk();
        Assert.Equal(new Dictionary<string, int> { ["near"] = 1 }, await ToldAsync(_admin, questionId));
    }

    [Fact]
    public async Task Settings_QuietHoursTopicsRadiusAndChannelOff_AreRespected()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var quiet = await _server.JoinAsync("quiet", Places.OneKmEast);
        var topical = await _server.JoinAsync("topical", Places.OneKmEast);
        var narrow = await _server.JoinAsync("narrow", Places.FourKmEast);
        var off = await _server.JoinAsync("off", Places.OneKmEast);
        var plain = await _server.JoinAsync("plain", Places.OneKmEast);
        // Quiet all day but one minute: from the next minute (Seoul time) to this one.
        var seoul = TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul"));
        var start = seoul.AddMinutes(-1).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var end = seoul.AddMinutes(5).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        (await quiet.Socket.RequestAsync("qna.settings", new { quiet_start = start, quiet_end = end })).AssertOk();
        (await topical.Socket.RequestAsync("qna.settings", new { topics = new[] { "food" } })).AssertOk();
        (await narrow.Socket.RequestAsync("qna.settings", new { radius_m = 1000 })).AssertOk();
        (await off.Socket.RequestAsync("qna.settings", new { in_app = false, push = false })).AssertOk();

        var questionId = await asker.AskAsync(hashtags: ["parking"]);
        await plain.NextInboxAsync("notification", questionId);
        _clock.Advance(TimeSpan.FromSeconds(3));
        await _server.JobsWhenAsync(questionId, jobs => jobs[1].DoneAt is not null);
        Assert.Equal(new Dictionary<string, int> { ["plain"] = 1 }, await ToldAsync(_admin, questionId));

        var settings = (await quiet.Socket.RequestAsync("qna.settings")).Result;
        Assert.Equal(start, settings.GetProperty("quiet_start").GetString());
        Assert.Equal("bad_request", (await quiet.Socket.RequestAsync("qna.settings", new { quiet_start = "25:00" })).ErrorCode);
        Assert.Equal("bad_request", (await quiet.Socket.RequestAsync("qna.settings", new { radius_m = 10 })).ErrorCode);
    }

    [Fact]
    public async Task Typing_IsSignalledLive_ExpiresAfterFiveSecondsWithoutARepeat_AndIsNeverInHistory()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var helper = await _server.JoinAsync("helper", Places.OneKmEast);
        var questionId = await asker.AskAsync();
        var room = await asker.Socket.RequestAsync("subscribe", new { channel = "qna:q." + questionId });
        room.AssertOk();
        var (epoch, offset) = (room.Result.GetProperty("epoch").GetString(), room.Result.GetProperty("offset").GetInt64());

        (await helper.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = true })).AssertOk();
        var started = await asker.Socket.NextPushAsync("signal", Wait);
        Assert.Equal("qna:q." + questionId, started.GetProperty("channel").GetString());
        Assert.True(started.GetProperty("data").GetProperty("typing").GetBoolean());
        Assert.Equal("helper", started.GetProperty("data").GetProperty("user_id").GetString());

        // A repeat within the window keeps it; 5 s after the last one it ends by itself.
        _clock.Advance(TimeSpan.FromSeconds(3));
        (await helper.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = true })).AssertOk();
        _clock.Advance(TimeSpan.FromSeconds(3));
        (await asker.Socket.RequestAsync("ping")).AssertOk();
        Assert.False(asker.Socket.TryTakePush(out _), "no stop while the typist repeats");
        _clock.Advance(TimeSpan.FromSeconds(2));
        var stopped = await asker.Socket.NextPushAsync("signal", Wait);
        Assert.False(stopped.GetProperty("data").GetProperty("typing").GetBoolean());

        // An explicit stop, and a dropped connection, end it at once.
        (await helper.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = true })).AssertOk();
        await asker.Socket.NextPushAsync("signal", Wait);
        (await helper.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = false })).AssertOk();
        Assert.False((await asker.Socket.NextPushAsync("signal", Wait)).GetProperty("data").GetProperty("typing").GetBoolean());
        (await helper.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = true })).AssertOk();
        await asker.Socket.NextPushAsync("signal", Wait);
        helper.Socket.Abort();
        Assert.False((await asker.Socket.NextPushAsync("signal", Wait)).GetProperty("data").GetProperty("typing").GetBoolean());

        // A client recovering the room gets the answer given meanwhile, and no typing state: signals are never kept.
        await _server.JoinAsync("other").ContinueWith(t => t.Result.AnswerAsync(questionId)).Unwrap();
        var late = await _server.JoinAsync("late");
        var sub = await late.Socket.RequestAsync("subscribe", new { channel = "qna:q." + questionId, since = new { offset, epoch } });
        sub.AssertOk();
        Assert.True(sub.Result.GetProperty("recovered").GetBoolean());
        var recovered = sub.Result.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data").GetProperty("type").GetString()!).ToArray();
        Assert.Equal(["answer"], recovered);
    }
}
