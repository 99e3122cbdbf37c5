using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Deletes the rows of connections ended longer ago than <see cref="PresenceOptions.EndedConnectionRetentionHours"/>,
/// one bounded batch per call, for the presence sweeper. After a batch that was not full it rests for
/// <see cref="Interval"/>; after a full one the next sweep takes the next batch, so a backlog drains a batch per tick
/// without holding SQLite's writer for long.
/// </summary>
internal sealed partial class EndedConnectionPurge(IConnectionStore store, IOptions<PresenceOptions> options, TimeProvider time,
    ILogger<EndedConnectionPurge> logger)
{
    /// <summary>Rows deleted per transaction. Default: 1,000.</summary>
    internal const int DefaultBatchSize = 1_000;

    /// <summary>Rest between purges once nothing more is due. Retention is counted in hours, so minutes are plenty.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private DateTimeOffset _nextRunAt = DateTimeOffset.MinValue;

    internal int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Deletes one batch if a purge is due at the clock's current time; returns how many rows went.</summary>
    internal async Task<int> RunIfDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (now < _nextRunAt) return 0;
        // Scheduled before the delete: a failing database is retried after the interval, not on every presence tick.
        _nextRunAt = now + Interval;
        var endedBefore = now - options.Value.EndedConnectionRetention;
        var deleted = await store.PurgeEndedAsync(endedBefore.ToUnixTimeMilliseconds(), BatchSize, cancellationToken)
            .ConfigureAwait(false);
        if (deleted >= BatchSize) _nextRunAt = now;
        if (deleted > 0) Log.Purged(logger, deleted, endedBefore);
        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(1602, LogLevel.Debug, "Deleted {Count} connections that ended before {EndedBefore}.")]
        public static partial void Purged(ILogger logger, int count, DateTimeOffset endedBefore);
    }
}
