namespace Heartline.Webinar;

internal static partial class WebinarLog
{
    [LoggerMessage(6001, LogLevel.Information, "Webinar {WebinarId} created: {Title}.")]
    public static partial void Created(ILogger logger, string webinarId, string title);

    [LoggerMessage(6002, LogLevel.Information, "Webinar {WebinarId} ended at {EndedAt}.")]
    public static partial void Ended(ILogger logger, string webinarId, DateTimeOffset endedAt);

    [LoggerMessage(6003, LogLevel.Warning, "Session key of webinar {WebinarId} refused: it belongs to another viewer.")]
    public static partial void SessionKeyTaken(ILogger logger, string webinarId);

    [LoggerMessage(6004, LogLevel.Debug, "Webinar sweep closed {Closed} stale sessions and purged {Purged} in {ElapsedMs} ms.")]
    public static partial void Swept(ILogger logger, int closed, int purged, double elapsedMs);

    [LoggerMessage(6005, LogLevel.Debug, "Statistics of webinar {WebinarId}: {Sessions} sessions in {ElapsedMs} ms.")]
    public static partial void StatsComputed(ILogger logger, string webinarId, int sessions, double elapsedMs);

    [LoggerMessage(6006, LogLevel.Warning, "Webinar retention purge stopped after {Batches} batches; the rest waits for the next sweep.")]
    public static partial void PurgeBudgetReached(ILogger logger, int batches);

    [LoggerMessage(6007, LogLevel.Warning, "A batch of {Count} heartbeats failed; applying them one at a time.")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(6008, LogLevel.Information, "Webinar {WebinarId} deleted with its sessions.")]
    public static partial void Deleted(ILogger logger, string webinarId);
}
