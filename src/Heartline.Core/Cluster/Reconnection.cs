using Polly;
using Polly.Retry;

namespace Heartline.Core.Cluster;

/// <summary>
/// How the cluster's long-lived links (the LISTEN connection, the peer links) reconnect: attempts with exponential
/// backoff and full jitter from 200 ms to at most 5 s, on the injected clock, until the link is up or the node stops.
/// Jitter keeps the nodes of a cluster from reconnecting in step after a database restart.
/// </summary>
internal static class Reconnection
{
    public static ResiliencePipeline Create(TimeProvider time, Action<Exception, TimeSpan> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } ex) onRetry(ex, args.RetryDelay);
                    return default;
                },
            })
            .Build();
}
