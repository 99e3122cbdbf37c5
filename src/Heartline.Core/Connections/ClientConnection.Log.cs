namespace Heartline.Core.Connections;

public sealed partial class ClientConnection
{
    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Connection {ConnectionId} is a slow consumer ({Frames} frames, {Bytes} bytes queued); closing it.")]
        public static partial void SlowConsumer(ILogger logger, string connectionId, int frames, long bytes);

        [LoggerMessage(1102, LogLevel.Warning, "Connection {ConnectionId} sent a message above {Limit} bytes; closing it.")]
        public static partial void FrameTooLarge(ILogger logger, string connectionId, int limit);

        [LoggerMessage(1103, LogLevel.Debug, "Connection {ConnectionId} send loop ended: {Reason}.")]
        public static partial void SendEnded(ILogger logger, string connectionId, string reason);

        [LoggerMessage(1104, LogLevel.Debug, "Connection {ConnectionId} receive loop ended: {Reason}.")]
        public static partial void ReceiveEnded(ILogger logger, string connectionId, string reason);
    }
}
