using Heartline.Qna;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>Tier jobs are rows: a restart between the tiers loses none, and the history keeps what a disconnected user was told.</summary>
public sealed class QnaRestartTests
{
    [Fact]
    public async Task PendingTiers_RunAfterARestart_AndTheirNotificationsWaitInTheHistory()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var settings = new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" };
        string questionId, path;
        await using (var first = await HeartlineServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(clock)))
        {
            path = first.DatabasePath;
            var asker = await first.JoinAsync("asker", Places.Aewol);
            var near = await first.JoinAsync("near", Places.OneKmEast);
            await first.JoinAsync("four-km", Places.FourKmEast);
            questionId = await asker.AskAsync();
            await near.NextInboxAsync("notification", questionId);
        }

        // Down for a minute: tier 2 (3 s) and tier 3 (30 s) came due while nobody ran them.
        clock.Advance(TimeSpan.FromMinutes(1));
        await using var second = await HeartlineServer.StartAsync(settings, path, s => s.AddSingleton<TimeProvider>(clock));
        using var admin = second.CreateHttpClient(second.Token("root", role: Roles.Admin));
        // The next sweep (run here rather than waiting for the timer) claims what came due while the server was down.
        await second.Services.GetRequiredService<TierJobs>().SweepAsync(CancellationToken.None).WaitAsync(Wait);
        await second.JobsWhenAsync(questionId, jobs => jobs[1].DoneAt is not null && jobs[2].DoneAt is not null);
        Assert.Equal(new Dictionary<string, int> { ["near"] = 1, ["four-km"] = 2 }, await ToldAsync(admin, questionId));

        // The user who was offline finds it in the history when it comes back.
        var back = await second.JoinAsync("four-km");
        var list = (await back.Socket.RequestAsync("qna.notifications")).Result;
        Assert.Equal(questionId, list.GetProperty("items")[0].GetProperty("notification").GetProperty("question").GetProperty("id").GetString());
        Assert.Equal(1, list.GetProperty("unread").GetInt64());
    }
}
