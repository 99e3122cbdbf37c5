namespace Heartline.Core.Connections;

internal sealed partial class ConnectionHandler
{
    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Debug, "Connection {ConnectionId} accepted from {RemoteIp}.")]
        public static partial void Accepted(ILogger logger, string connectionId, string remoteIp);

        [LoggerMessage(1002, LogLevel.Debug, "Connection {ConnectionId} is {Subject} in scopes {Scopes} ({AppType}).")]
        public static partial void Connected(ILogger logger, string connectionId, string subject, string scopes, string appType);

        [LoggerMessage(1003, LogLevel.Debug, "Connection {ConnectionId} ended: {Reason}.")]
        public static partial void Ended(ILogger logger, string connectionId, string reason);

        [LoggerMessage(1004, LogLevel.Warning, "Connection {ConnectionId} from {RemoteIp} failed authentication: {Detail}.")]
        public static partial void AuthFailed(ILogger logger, string connectionId, string remoteIp, string detail);

        [LoggerMessage(1005, LogLevel.Warning, "Connection {ConnectionId} kept flooding commands; closing it.")]
        public static partial void Flood(ILogger logger, string connectionId);

        [LoggerMessage(1006, LogLevel.Error, "Command {Command} of connection {ConnectionId} failed.")]
        public static partial void CommandFailed(ILogger logger, Exception exception, string command, string connectionId);

        [LoggerMessage(1007, LogLevel.Error, "Teardown of connection {ConnectionId} failed; startup cleanup will finish it.")]
        public static partial void TeardownFailed(ILogger logger, Exception exception, string connectionId);

        [LoggerMessage(1009, LogLevel.Error, "Connection {ConnectionId} could not be stored; refusing it.")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception, string connectionId);

        [LoggerMessage(1008, LogLevel.Error, "Connection observer {Observer} failed.")]
        public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);

        [LoggerMessage(1011, LogLevel.Error, "A message of connection {ConnectionId} could not be handled.")]
        public static partial void MessageFailed(ILogger logger, Exception exception, string connectionId);

        [LoggerMessage(1010, LogLevel.Warning, "Shutdown stopped waiting for {Connections} connection teardowns; startup cleanup will finish them.")]
        public static partial void StopTimedOut(ILogger logger, int connections);
    }
}
