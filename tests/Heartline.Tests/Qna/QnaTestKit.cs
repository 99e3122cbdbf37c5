using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Qna;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Qna;

/// <summary>Places on Jeju the tests put people (the asker's spot in 애월 and distances from it, rounded as the server keeps them).</summary>
internal static class Places
{
    public static readonly (double Lat, double Lng) Aewol = (33.463, 126.331);
    public static readonly (double Lat, double Lng) OneKmEast = (33.463, 126.342);
    public static readonly (double Lat, double Lng) FourKmEast = (33.463, 126.374);
    public static readonly (double Lat, double Lng) AewolInland = (33.420, 126.390); // about 7 km away, still 애월
    public static readonly (double Lat, double Lng) Seongsan = (33.458, 126.9425);
    public static readonly (double Lat, double Lng) Seogwipo = (33.2493, 126.5627);
    public static readonly (double Lat, double Lng) Seoul = (37.5665, 126.9780);
}

/// <summary>A Q&amp;A user as a test holds it: its id and socket, subscribed to its inbox.</summary>
internal sealed record QnaUser(string Id, WsClient Socket);

internal static class QnaTestKit
{
    public const string Role = "qna_user";
    /// <summary>The bound of every wait for the server (as push-to-talk's tests: a busy machine with a build beside the suite can stall for seconds).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Connects a Q&amp;A user, subscribes to its inbox and, when given, sends its location.</summary>
    public static async Task<QnaUser> JoinAsync(this HeartlineServer server, string id, (double Lat, double Lng)? at = null)
    {
        var socket = await server.ConnectAsync(id, role: Role, name: "name-" + id);
        (await socket.RequestAsync("subscribe", new { channel = "qna:u." + id })).AssertOk();
        var user = new QnaUser(id, socket);
        if (at is { } p) await user.LocateAsync(p);
        return user;
    }

    public static async Task LocateAsync(this QnaUser user, (double Lat, double Lng) at)
    {
        var reply = await user.Socket.RequestAsync("qna.location", new { lat = at.Lat, lng = at.Lng });
        reply.AssertOk();
        Assert.True(reply.Result.GetProperty("stored").GetBoolean());
    }

    public static async Task<string> AskAsync(this QnaUser asker, string body = "애월 한담 근처 주차 어디가 좋아요?", string[]? hashtags = null,
        (double Lat, double Lng)? at = null, string urgency = "normal")
    {
        var p = at ?? Places.Aewol;
        var reply = await asker.Socket.RequestAsync("qna.ask", new { body, hashtags = hashtags ?? [], lat = p.Lat, lng = p.Lng, urgency });
        reply.AssertOk();
        return reply.Result.GetProperty("question").GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> AnswerAsync(this QnaUser user, string questionId, string body = "한담해변 공영주차장이요")
    {
        var reply = await user.Socket.RequestAsync("qna.answer", new { question_id = questionId, body });
        reply.AssertOk();
        return reply.Result.GetProperty("answer");
    }

    /// <summary>The next inbox event of <paramref name="type"/> (notification, unread, read), optionally of one question.</summary>
    public static async Task<JsonElement> NextInboxAsync(this QnaUser user, string type, string? questionId = null, TimeSpan? timeout = null)
    {
        var push = await user.Socket.NextPushAsync(p => p.GetProperty("push").GetString() == "pub"
            && p.GetProperty("channel").GetString() == "qna:u." + user.Id
            && p.GetProperty("data").GetProperty("type").GetString() == type
            && (questionId is null || QuestionOf(p.GetProperty("data")) == questionId), timeout ?? Wait);
        return push.GetProperty("data");
    }

    /// <summary>The next publication in a question's room of <paramref name="type"/> (answer, accepted, receipt, closed).</summary>
    public static async Task<JsonElement> NextRoomAsync(this WsClient socket, string questionId, string type, TimeSpan? timeout = null)
    {
        var push = await socket.NextPushAsync(p => p.GetProperty("push").GetString() == "pub"
            && p.GetProperty("channel").GetString() == "qna:q." + questionId
            && p.GetProperty("data").GetProperty("type").GetString() == type, timeout ?? Wait);
        return push.GetProperty("data");
    }

    /// <summary>Who each tier told (user → tier), from the administrators' delivery report.</summary>
    public static async Task<Dictionary<string, int>> ToldAsync(HttpClient admin, string questionId)
    {
        var report = await admin.GetFromJsonAsync<JsonElement>($"/api/qna/admin/questions/{questionId}/delivery").WaitAsync(Wait);
        return report.GetProperty("notified").EnumerateArray().ToDictionary(n => n.GetProperty("user_id").GetString()!, n => n.GetProperty("tier").GetInt32());
    }

    /// <summary>
    /// A question's tier jobs once <paramref name="done"/> holds for them, read from the store (polling the HTTP report
    /// would meet the per-address request limit), bounded by <see cref="Wait"/>.
    /// </summary>
    public static async Task<IReadOnlyList<(long Tier, long? DoneAt, string? Outcome, long Attempts)>> JobsWhenAsync(this HeartlineServer server,
        string questionId, Func<IReadOnlyList<(long Tier, long? DoneAt, string? Outcome, long Attempts)>, bool> done)
    {
        var store = server.Services.GetRequiredService<QnaStore>();
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var jobs = await store.JobsOfAsync(questionId, CancellationToken.None).WaitAsync(Wait);
            if (done(jobs)) return jobs;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("tier jobs not as expected: " + string.Join(", ", jobs));
            await Task.Delay(20);
        }
    }

    public static Task<IReadOnlyList<(long Tier, long? DoneAt, string? Outcome, long Attempts)>> AllJobsDoneAsync(this HeartlineServer server,
        string questionId) => server.JobsWhenAsync(questionId, jobs => jobs.All(j => j.DoneAt is not null));

    private static string? QuestionOf(JsonElement data) =>
        data.TryGetProperty("question_id", out var id) ? id.GetString()
        : data.TryGetProperty("notification", out var n) ? n.GetProperty("question").GetProperty("id").GetString() : null;
}
