using Heartline.Qna;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>A tier attempt that fails is retried after 1 s, then 2 s, and given up after the third (Qna:JobAttempts), on a manual clock.</summary>
public sealed class QnaRetryTests
{
    /// <summary>Answers like the database does, after failing the first <c>failures</c> lookups.</summary>
    private sealed class FailingNearbyUsers(QnaStore store, int failures) : INearbyUsers
    {
        private readonly SqlNearbyUsers _inner = new(store);
        private int _calls;

        public ValueTask<IReadOnlyList<CandidateRow>> NearAsync(QuestionRow question, double radiusMeters, long since, bool excludeTold,
            CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= failures
                ? throw new InvalidOperationException("the lookup failed (test)")
                : _inner.NearAsync(question, radiusMeters, since, excludeTold, cancellationToken);

        public ValueTask<IReadOnlyList<CandidateRow>> InRegionAsync(QuestionRow question, long since, CancellationToken cancellationToken) =>
            _inner.InRegionAsync(question, since, cancellationToken);

        public void Located(CandidateRow user, string region, long at)
        {
        }

        public void Forgotten(string? userId)
        {
        }

        public void SettingsChanged(string userId, UserSettings settings)
        {
        }
    }

    private static async Task<(HeartlineServer Server, FakeTimeProvider Clock)> StartAsync(int failures)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" }, services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<INearbyUsers>(sp => new FailingNearbyUsers(sp.GetRequiredService<QnaStore>(), failures));
        });
        return (server, clock);
    }

    [Fact]
    public async Task FailedAttempts_AreRetriedWithExponentialBackoff_AndTheThirdSucceeds()
    {
        var (server, clock) = await StartAsync(failures: 2);
        await using var _ = server;
        var asker = await server.JoinAsync("asker", Places.Aewol);
        var near = await server.JoinAsync("near", Places.OneKmEast);
        var questionId = await asker.AskAsync();
        await server.JobsWhenAsync(questionId, jobs => jobs[0].Outcome?.StartsWith("retry", StringComparison.Ordinal) == true);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, (await server.JobsWhenAsync(questionId, _ => true))[0].Attempts);
        clock.Advance(TimeSpan.FromMilliseconds(1)); // 1 s after the first failure
        await server.JobsWhenAsync(questionId, jobs => jobs[0].Attempts == 2 && jobs[0].Outcome?.StartsWith("retry", StringComparison.Ordinal) == true);
        clock.Advance(TimeSpan.FromSeconds(2)); // 2 s after the second
        await near.NextInboxAsync("notification", questionId);
        var tier1 = (await server.JobsWhenAsync(questionId, jobs => jobs[0].DoneAt is not null))[0];
        Assert.Equal((3L, "sent: 1"), (tier1.Attempts, tier1.Outcome));
    }

    [Fact]
    public async Task AJobFailingEveryAttempt_IsGivenUpAfterThree()
    {
        var (server, clock) = await StartAsync(failures: int.MaxValue);
        await using var _ = server;
        var asker = await server.JoinAsync("asker", Places.Aewol);
        await server.JoinAsync("near", Places.OneKmEast);
        var questionId = await asker.AskAsync();
        await server.JobsWhenAsync(questionId, jobs => jobs[0].Attempts == 1 && jobs[0].Outcome is not null);
        clock.Advance(TimeSpan.FromSeconds(1));
        await server.JobsWhenAsync(questionId, jobs => jobs[0].Attempts == 2 && jobs[0].Outcome is not null);
        clock.Advance(TimeSpan.FromSeconds(2));
        var tier1 = (await server.JobsWhenAsync(questionId, jobs => jobs[0].DoneAt is not null))[0];
        Assert.Equal((3L, "failed: InvalidOperationException"), (tier1.Attempts, tier1.Outcome));
    }
}
