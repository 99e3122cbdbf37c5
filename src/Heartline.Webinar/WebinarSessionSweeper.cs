using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>What one sweep did.</summary>
internal readonly record struct WebinarSweepResult(int Closed, int Purged, double ElapsedMs);

/// <summary>
/// Closes sessions with no heartbeat for the stale timeout at their last heartbeat (closed_reason <c>timeout</c>) and
/// deletes sessions closed longer ago than the retention period, in batches so SQLite's one writer is never held
/// long. Default period: 10 minutes.
/// </summary>
internal sealed class WebinarSessionSweeper(IWebinarStore store, IOptions<WebinarOptions> options, TimeProvider time,
    WebinarMetrics webinarMetrics, ILogger<WebinarSessionSweeper> logger) : ISweeper
{
    /// <summary>Sessions deleted per purge transaction.</summary>
    internal const int PurgeBatchSize = 5_000;

    /// <summary>Purge transactions per sweep; what is left waits for the next sweep.</summary>
    internal const int PurgeBatchesPerSweep = 100;

    private readonly WebinarOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    public TimeSpan Period => _options.SweepInterval;

    public string Name => "webinar-sessions";

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var result = await SweepOnceAsync(cancellationToken).ConfigureAwait(false);
        return result.Closed + result.Purged;
    }

    /// <summary>One sweep at the clock's current time. Tests call it directly after advancing a manual clock.</summary>
    internal async Task<WebinarSweepResult> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var closed = await store.CloseStaleAsync(
            (now - _options.StaleTimeout).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), cancellationToken)
            .ConfigureAwait(false);

        var purgeBefore = (now - _options.Retention).ToUnixTimeMilliseconds();
        var purged = 0;
        for (var batch = 0; ; batch++)
        {
            if (batch == PurgeBatchesPerSweep)
            {
                WebinarLog.PurgeBudgetReached(_logger, batch);
                break;
            }
            var deleted = await store.PurgeClosedAsync(purgeBefore, PurgeBatchSize, cancellationToken).ConfigureAwait(false);
            purged += deleted;
            if (deleted < PurgeBatchSize) break;
        }

        var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
        webinarMetrics.Swept(closed, purged, elapsed);
        WebinarLog.Swept(_logger, closed, purged, elapsed);
        return new WebinarSweepResult(closed, purged, elapsed);
    }
}
