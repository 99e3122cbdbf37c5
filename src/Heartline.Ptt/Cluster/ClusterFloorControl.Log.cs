using Heartline.Core.Cluster;
namespace Heartline.Ptt.Cluster;

internal sealed partial class ClusterFloorControl
{
    private static partial class Log
    {
        [LoggerMessage(5301, LogLevel.Debug, "Session {SessionId} of office {Office} started on this node: speaker {UserId}.")]
        public static partial void SessionStarted(ILogger logger, string sessionId, string office, string userId);

        [LoggerMessage(5302, LogLevel.Debug, "Session {SessionId} of office {Office} ended: {Reason}.")]
        public static partial void SessionEnded(ILogger logger, string sessionId, string office, string reason);

        [LoggerMessage(5303, LogLevel.Error, "The release action of session {SessionId} could not be registered or cancelled.")]
        public static partial void ActionFailed(ILogger logger, Exception exception, string sessionId);

        [LoggerMessage(5304, LogLevel.Error, "Session {SessionId} could not be ended ({Reason}); retrying.")]
        public static partial void EndFailed(ILogger logger, Exception exception, string sessionId, string reason);

        [LoggerMessage(5305, LogLevel.Warning, "Connection {ConnectionId} could not leave its PTT session; the stale cleaner will.")]
        public static partial void LeaveFailed(ILogger logger, Exception exception, string connectionId);

        [LoggerMessage(5306, LogLevel.Warning, "The floors this node follows could not be read again after the listener reconnected.")]
        public static partial void ResynchronizeFailed(ILogger logger, Exception exception);
    }
}
