using System.Collections.Concurrent;
using Heartline.Core.Modules;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// Runs the tier jobs of questions. A job is a row (<c>qna_jobs</c>) written with its question; whichever node claims
/// it first runs it (the claim is one conditional UPDATE, and lapses after <c>Qna:JobClaimSeconds</c> if that node
/// dies), so each tier runs once across a cluster and survives a restart. A failed attempt is retried with exponential
/// backoff up to <c>Qna:JobAttempts</c> times; the first answer (or accepting, or closing) cancels the jobs still
/// pending. The node that stored a question runs its tier 1 at once and arms a timer for each later tier, so tiers
/// start on time and a new question's tier 1 never waits behind other questions' bigger tiers; the periodic sweep picks
/// up everything else (jobs of a node that stopped, after a restart).
/// </summary>
internal sealed partial class TierJobs(QnaStore store, Notifier notifier, HeartlineNode node, TimeProvider time, IOptions<QnaOptions> options,
    QnaMetrics metrics, ILogger<TierJobs> logger) : ISweeper, IDisposable
{
    private const int Batch = 50;
    private readonly ConcurrentDictionary<ITimer, byte> _timers = new();
    private readonly CancellationTokenSource _stopping = new();

    public string Name => "qna-tiers";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.JobPollSeconds);

    public static IReadOnlyList<JobRow> For(string questionId, long createdAt, QnaOptions o, Func<string> newId) =>
    [
        new(newId(), questionId, 1, createdAt, 0),
        new(newId(), questionId, 2, createdAt + o.Tier2DelaySeconds * 1000L, 0),
        new(newId(), questionId, 3, createdAt + o.Tier3DelaySeconds * 1000L, 0),
        new(newId(), questionId, 4, createdAt + o.Tier4DelaySeconds * 1000L, 0),
    ];

    /// <summary>
    /// Runs a new question's tier 1 (stored claimed by this node) in the background, with the question in hand, and arms a
    /// timer for each later tier.
    /// </summary>
    public void Schedule(QuestionRow question, IReadOnlyList<JobRow> jobs)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var job in jobs)
        {
            if (job.Tier == 1) _ = RunInBackgroundAsync(job with { Attempts = 0 }, question);
            else Arm(TimeSpan.FromMilliseconds(Math.Max(0, job.DueAt - now)), job);
        }
    }

    /// <summary>Claims and runs every due job, one after another; returns how many ran.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var ran = 0;
        var due = await store.DueJobsAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), Batch, cancellationToken).ConfigureAwait(false);
        foreach (var job in due)
        {
            if (await RunAsync(job, cancellationToken).ConfigureAwait(false)) ran++;
        }
        return ran;
    }

    /// <param name="claimed">A new question's tier 1, stored claimed by this node, with the question just stored.</param>
    private async Task<bool> RunAsync(JobRow job, CancellationToken cancellationToken, QuestionRow? claimed = null)
    {
        var o = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (claimed is null && !await store.ClaimJobAsync(job.Id, node.NodeId, now, now + o.JobClaimSeconds * 1000L, cancellationToken).ConfigureAwait(false))
            return false;
        var attempt = job.Attempts + 1;
        try
        {
            var question = claimed ?? await store.FindQuestionAsync(job.QuestionId, cancellationToken).ConfigureAwait(false);
            string outcome;
            if (question is null || question.Status == QuestionStatus.Closed) outcome = "skipped: question gone or closed";
            else if (job.Tier > 1 && question.AnswerCount > 0) outcome = "skipped: answered";
            else outcome = "sent: " + await notifier.RunTierAsync(question, (int)job.Tier, cancellationToken).ConfigureAwait(false);
            await store.FinishJobAsync(job.Id, node.NodeId, outcome, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            metrics.TierRun();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var after = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (attempt >= o.JobAttempts)
            {
                Log.JobFailed(logger, ex, job.QuestionId, job.Tier, attempt);
                await store.FinishJobAsync(job.Id, node.NodeId, "failed: " + ex.GetType().Name, after, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            var backoff = TimeSpan.FromSeconds(o.JobBackoffSeconds * Math.Pow(2, attempt - 1));
            Log.JobRetry(logger, ex, job.QuestionId, job.Tier, attempt, backoff.TotalSeconds);
            await store.RetryJobAsync(job.Id, node.NodeId, after + (long)backoff.TotalMilliseconds, "retry: " + ex.GetType().Name,
                CancellationToken.None).ConfigureAwait(false);
            Arm(backoff, job with { Attempts = attempt });
            return false;
        }
    }

    /// <summary>Runs <paramref name="job"/> when it is due (a claim decides, so a sweep that got there first wins).</summary>
    private void Arm(TimeSpan dueIn, JobRow job)
    {
        if (_stopping.IsCancellationRequested) return;
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            if (timer is not null && _timers.TryRemove(timer, out byte _)) timer.Dispose();
            _ = RunInBackgroundAsync(job);
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timers[timer] = 0;
        timer.Change(dueIn, Timeout.InfiniteTimeSpan);
    }

    private async Task RunInBackgroundAsync(JobRow job, QuestionRow? claimed = null)
    {
        try
        {
            await RunAsync(job, _stopping.Token, claimed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.SweepFailed(logger, ex);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var timer in _timers.Keys) timer.Dispose();
        _timers.Clear();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(9101, LogLevel.Warning, "Q&A tier {Tier} of question {QuestionId} failed (attempt {Attempt}); retrying in {BackoffSeconds} s.")]
        public static partial void JobRetry(ILogger logger, Exception exception, string questionId, long tier, long attempt, double backoffSeconds);

        [LoggerMessage(9102, LogLevel.Error, "Q&A tier {Tier} of question {QuestionId} failed {Attempt} times; given up.")]
        public static partial void JobFailed(ILogger logger, Exception exception, string questionId, long tier, long attempt);

        [LoggerMessage(9103, LogLevel.Error, "Running due Q&A tier jobs failed; the next sweep tries again.")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
