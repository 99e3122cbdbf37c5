namespace Heartline.Voip;

internal sealed partial class CallControl
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Call {CallId}: {Party} dropped ({Reason}); waiting for it to reconnect")]
        public static partial void PartyAway(ILogger logger, string callId, string party, string reason);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Call {CallId} ended: {Reason}")]
        public static partial void CallEnded(ILogger logger, string callId, string reason);

        [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "A call timer failed")]
        public static partial void TimerFailed(ILogger logger, Exception exception);
    }
}

internal static partial class VoipLog
{
    [LoggerMessage(EventId = 7010, Level = LogLevel.Information,
        Message = "Connection Stats: guests {Total} total, {Connected} connected, {Responsive} responsive here, {InCall} in a call, {Reclaimable} reclaimable")]
    public static partial void ConnectionStats(ILogger logger, long total, long connected, int responsive, int inCall, long reclaimable);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Guest {GuestId} disconnected: {Why}")]
    public static partial void GuestDisconnected(ILogger logger, string guestId, string why);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "Guest cleanup: {Guests} guests gone, {Calls} old call records purged")]
    public static partial void Cleaned(ILogger logger, int guests, int calls);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Guests removed by {By} ({How}): {Removed} removed, {Disconnected} connections closed")]
    public static partial void GuestsRemoved(ILogger logger, string by, string how, int removed, int disconnected);
}
