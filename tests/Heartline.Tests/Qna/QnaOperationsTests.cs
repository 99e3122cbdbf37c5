using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Qna;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>The operators' side on a manual clock: response rates by region, and a question unanswered for 10 minutes alerted once, on the admin channel and the webhook.</summary>
public sealed class QnaOperationsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private LocalWebhook _hook = null!;
    private HeartlineServer _server = null!;

    public async Task InitializeAsync()
    {
        _hook = await LocalWebhook.StartAsync("/alerts", Wait);
        var hookUrl = _hook.Url;
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Qna:SlowResponseWebhookUrl"] = hookUrl,
        }, services: s => s.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
    }

    [Fact]
    public async Task UnansweredForTenMinutes_IsAlertedOnce_OnTheAdminChannelAndTheWebhook_AndTheOverviewCountsIt()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var helper = await _server.JoinAsync("helper", Places.OneKmEast);
        var admin = await _server.ConnectAsync("root", role: Roles.Admin);
        (await admin.RequestAsync("subscribe", new { channel = "qna:admin" })).AssertOk();
        Assert.Equal("forbidden", (await asker.Socket.RequestAsync("subscribe", new { channel = "qna:admin" })).ErrorCode);

        var answered = await asker.AskAsync("빨리 답이 온 질문");
        _clock.Advance(TimeSpan.FromSeconds(40));
        await helper.AnswerAsync(answered);
        var waiting = await asker.AskAsync("아무도 모르는 질문", at: Places.Seongsan);
        var sweeper = _server.Services.GetRequiredService<SlowResponses>();
        // Nine minutes: not slow yet (the sweeper's own timer ticks on the manual clock too).
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None).WaitAsync(Wait));
        (await admin.RequestAsync("ping")).AssertOk();
        Assert.False(admin.TryTakePush(out _), "no alert before 10 minutes");
        // Ten: whichever sweep gets there first takes it; nothing is taken twice.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await sweeper.SweepAsync(CancellationToken.None).WaitAsync(Wait);

        var alert = (await admin.NextPushAsync(p => p.GetProperty("push").GetString() == "pub" && p.GetProperty("channel").GetString() == "qna:admin", Wait))
            .GetProperty("data");
        Assert.Equal(("slow_response", waiting), (alert.GetProperty("type").GetString(), alert.GetProperty("question").GetProperty("id").GetString()));
        Assert.Equal(600_000, alert.GetProperty("waited_ms").GetInt64());
        using var cts = new CancellationTokenSource(Wait);
        var posted = await _hook.Received.Reader.ReadAsync(cts.Token);
        Assert.Equal(waiting, posted.GetProperty("question").GetProperty("id").GetString());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None).WaitAsync(Wait));
        (await admin.RequestAsync("ping")).AssertOk();
        Assert.False(admin.TryTakePush(out _), "alerted once");
        Assert.False(_hook.Received.Reader.TryRead(out _), "posted once");

        using var http = _server.CreateHttpClient(_server.Token("root", role: Roles.Admin));
        var overview = await http.GetFromJsonAsync<JsonElement>("/api/qna/admin/overview").WaitAsync(Wait);
        Assert.Equal(2, overview.GetProperty("asked").GetInt64());
        Assert.Equal(0.5, overview.GetProperty("answered_within1_min_rate").GetDouble());
        Assert.Equal(0.5, overview.GetProperty("answered_within10_min_rate").GetDouble());
        Assert.Equal(waiting, overview.GetProperty("slow")[0].GetProperty("id").GetString());
        var regions = overview.GetProperty("regions").EnumerateArray().ToDictionary(r => r.GetProperty("region").GetProperty("code").GetString()!);
        Assert.Equal(11, regions.Count);
        Assert.Equal(40.0, regions["aewol"].GetProperty("mean_first_answer_seconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, regions["seongsan"].GetProperty("mean_first_answer_seconds").ValueKind);
        using var user = _server.CreateHttpClient(_server.Token("asker", role: Role));
        using var refused = await user.GetAsync("/api/qna/admin/overview").WaitAsync(Wait);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
