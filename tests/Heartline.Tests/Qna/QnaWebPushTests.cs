using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Qna;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>Web Push to users who are not connected, received and decrypted by a local push service with the subscription's keys.</summary>
public sealed class QnaWebPushTests : IAsyncLifetime
{
    private LocalPushService _push = null!;
    private HeartlineServer _server = null!;

    public async Task InitializeAsync()
    {
        _push = await LocalPushService.StartAsync();
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Qna:WebPush:AllowedHosts:0"] = "127.0.0.1",
            ["Qna:WebPush:AllowInsecureEndpoints"] = "true",
            ["Qna:WebPush:Subject"] = "mailto:ops@example.com",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _push.DisposeAsync();
    }

    [Fact]
    public async Task AwayUsers_GetAnEncryptedPush_ConnectedOnesTheInbox_AndAGoneSubscriptionIsDropped()
    {
        var asker = await _server.JoinAsync("asker", Places.Aewol);
        var away = await _server.JoinAsync("away", Places.OneKmEast);
        var here = await _server.JoinAsync("here", Places.OneKmEast);
        var (endpoint, p256dh, auth) = _push.Subscribe("away-phone");
        (await away.Socket.RequestAsync("qna.push_subscribe", new { endpoint, p256dh, auth })).AssertOk();
        var (hereEndpoint, hereKey, hereAuth) = _push.Subscribe("here-phone");
        (await here.Socket.RequestAsync("qna.push_subscribe", new { endpoint = hereEndpoint, p256dh = hereKey, auth = hereAuth })).AssertOk();
        await away.Socket.CloseAsync();
        await GoneAsync("away");

        var questionId = await asker.AskAsync("성산 가는 버스 몇 번?", urgency: "urgent");
        await here.NextInboxAsync("notification", questionId);
        var received = await _push.NextAsync(Wait);
        Assert.Equal("away-phone", received.Subscriber);
        Assert.Equal("question", received.Payload.GetProperty("kind").GetString());
        Assert.Equal(questionId, received.Payload.GetProperty("question_id").GetString());
        Assert.Equal("성산 가는 버스 몇 번?", received.Payload.GetProperty("preview").GetString());
        Assert.Equal("high", received.Payload.GetProperty("priority").GetString());
        Assert.Equal("high", received.Urgency);
        Assert.Equal(3600, received.Ttl);
        Assert.Equal("mailto:ops@example.com", received.Subject);
        using var http = _server.CreateHttpClient(_server.Token("asker", role: Role));
        var key = await http.GetFromJsonAsync<JsonElement>("/api/qna/push/key").WaitAsync(Wait);
        Assert.Equal(65, Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(key.GetProperty("public_key").GetString()!).Length);

        // Answers reach the asker by push once the asker is away (in order, one queue).
        var (askerEndpoint, askerKey, askerAuth) = _push.Subscribe("asker-phone");
        (await asker.Socket.RequestAsync("qna.push_subscribe", new { endpoint = askerEndpoint, p256dh = askerKey, auth = askerAuth })).AssertOk();
        await asker.Socket.CloseAsync();
        await GoneAsync("asker");
        (await here.Socket.RequestAsync("qna.answer", new { question_id = questionId, body = "201번이요" })).AssertOk();
        (await here.Socket.RequestAsync("qna.answer", new { question_id = questionId, body = "아니면 직행 버스도 있어요" })).AssertOk();
        foreach (var expected in new[] { "201번이요", "아니면 직행 버스도 있어요" })
        {
            var toAsker = await _push.NextAsync(Wait);
            Assert.Equal(("asker-phone", "answer"), (toAsker.Subscriber, toAsker.Payload.GetProperty("kind").GetString()));
            Assert.Equal(expected, toAsker.Payload.GetProperty("preview").GetString());
        }

        // A subscription the push service says is gone is removed.
        _push.Gone.Add("away-phone");
        var second = await (await _server.JoinAsync("asker3", Places.Aewol)).AskAsync("두 번째 질문");
        await here.NextInboxAsync("notification", second);
        // The first asker, away and 0 m from it, is told of it by push; the gone subscription gets nothing.
        var third = await _push.NextAsync(Wait);
        Assert.Equal(("asker-phone", second), (third.Subscriber, third.Payload.GetProperty("question_id").GetString()));
        var store = _server.Services.GetRequiredService<QnaStore>();
        await Eventually(() => store.PushSubscriptionsAsync("away", CancellationToken.None), s => s.Count == 0);
        using var admin = _server.CreateHttpClient(_server.Token("root", role: Roles.Admin));
        var stats = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/stats").WaitAsync(Wait)).GetProperty("modules").GetProperty("qna");
        Assert.Equal(4, stats.GetProperty("web_push_sent").GetInt64());
        Assert.False(_push.TryTake(out var stray), "nothing else was pushed: " + stray);
    }

    [Fact]
    public async Task Subscriptions_AreValidated_AgainstTheAllowedPushServices()
    {
        var user = await _server.JoinAsync("u");
        var (endpoint, p256dh, auth) = _push.Subscribe("x");
        Assert.Equal("bad_request", (await user.Socket.RequestAsync("qna.push_subscribe", new { endpoint = "http://169.254.169.254/latest", p256dh, auth })).ErrorCode);
        Assert.Equal("bad_request", (await user.Socket.RequestAsync("qna.push_subscribe", new { endpoint = "not a url", p256dh, auth })).ErrorCode);
        Assert.Equal("bad_request", (await user.Socket.RequestAsync("qna.push_subscribe", new { endpoint, p256dh = "AAAA", auth })).ErrorCode);
        Assert.Equal("bad_request", (await user.Socket.RequestAsync("qna.push_subscribe", new { endpoint, p256dh, auth = p256dh })).ErrorCode);
        (await user.Socket.RequestAsync("qna.push_subscribe", new { endpoint, p256dh, auth })).AssertOk();
        Assert.Equal(1, (await user.Socket.RequestAsync("qna.push_unsubscribe", new { endpoint })).Result.GetProperty("count").GetInt64());
    }

    /// <summary>Waits until the server has ended the user's last connection (the close handshake can finish first).</summary>
    private Task GoneAsync(string userId) =>
        Eventually(() => _server.Services.GetRequiredService<Heartline.Core.Presence.IPresence>().IsConnectedAsync(userId).AsTask(), connected => !connected);

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting for " + value);
            await Task.Delay(50);
        }
    }
}
