namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Debug, "Session {SessionId} of office {Office} started: speaker {UserId}, {Participants} listeners.")]
        public static partial void SessionStarted(ILogger logger, string sessionId, string office, string userId, int participants);

        [LoggerMessage(3002, LogLevel.Debug, "Session {SessionId} of office {Office} ended: {Reason}.")]
        public static partial void SessionEnded(ILogger logger, string sessionId, string office, string reason);

        [LoggerMessage(3003, LogLevel.Error, "The release action of session {SessionId} could not be registered or cancelled.")]
        public static partial void ActionFailed(ILogger logger, Exception exception, string sessionId);

        [LoggerMessage(3004, LogLevel.Debug,
            "User {UserId} pressed on connection {ConnectionId} and takes over session {SessionId} of office {Office} from its silent or closing connection {HolderId}.")]
        public static partial void TakenOver(ILogger logger, string sessionId, string office, string userId, string holderId, string connectionId);

        [LoggerMessage(3005, LogLevel.Error, "Session {SessionId} could not be ended ({Reason}); retrying.")]
        public static partial void EndFailed(ILogger logger, Exception exception, string sessionId, string reason);

        [LoggerMessage(3006, LogLevel.Warning, "Connection {ConnectionId} could not leave its PTT session; the stale cleaner will.")]
        public static partial void LeaveFailed(ILogger logger, Exception exception, string connectionId);

        [LoggerMessage(3007, LogLevel.Warning, "The floor of office {Office} could not be read again after the listener reconnected.")]
        public static partial void ResynchronizeFailed(ILogger logger, Exception exception, string office);

        [LoggerMessage(3009, LogLevel.Warning, "The recording of session {SessionId} could not be kept.")]
        public static partial void RecordingFailed(ILogger logger, Exception exception, string sessionId);

        [LoggerMessage(3008, LogLevel.Warning, "The listeners of session {SessionId} could not be counted from presence; this node's are recorded.")]
        public static partial void ListenersUncounted(ILogger logger, Exception exception, string sessionId);
    }
}
