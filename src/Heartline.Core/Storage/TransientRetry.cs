using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Heartline.Core.Storage;

/// <summary>
/// Retries a background batch that failed for a reason that passes: a SQLite file busy beyond the busy timeout (a
/// backup, another process), a PostgreSQL restart or failover, a serialization failure or deadlock. Six attempts with
/// jittered exponential backoff (0.2 s doubling, at most 2 s; about 6 s in all) on the injected clock, so a short
/// outage loses no event and no PTT record. A batch whose transaction may have committed before the connection failed
/// is written again: events are at least once, and record writes that repeat fail as duplicates, not silently.
/// </summary>
internal static class TransientRetry
{
    public const int MaxRetryAttempts = 5;

    public static ResiliencePipeline Create(TimeProvider time, Action<Exception, int> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(2),
                UseJitter = true,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } ex) onRetry(ex, args.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();

    /// <summary>True for failures that the same write may survive a moment later.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 /* SQLITE_BUSY */ or 6 /* SQLITE_LOCKED */,
        NpgsqlException postgres => postgres.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
