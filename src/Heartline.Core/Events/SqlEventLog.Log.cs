namespace Heartline.Core.Events;

internal sealed partial class SqlEventLog
{
    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Error, "Failed to write a batch of {Count} events; they were not stored.")]
        public static partial void BatchFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(2102, LogLevel.Error, "Event log queue is full or stopped; dropped a {Type} event of {Scope}.")]
        public static partial void EventDropped(ILogger logger, string type, string scope);

        [LoggerMessage(2103, LogLevel.Warning, "Shutdown timed out with {Count} events still queued for the event log.")]
        public static partial void DrainAbandoned(ILogger logger, int count);

        [LoggerMessage(2104, LogLevel.Trace, "Wrote {Count} events in {ElapsedMs} ms.")]
        public static partial void BatchWritten(ILogger logger, int count, double elapsedMs);

        [LoggerMessage(2105, LogLevel.Warning, "Writing a batch of events failed for a passing reason; retry {Attempt} follows.")]
        public static partial void BatchRetrying(ILogger logger, int attempt, Exception exception);
    }
}
