using Heartline.Server.Connections;
using Heartline.Server.Protocol;

namespace Heartline.Server.Presence;

internal sealed class PingCommand(TimeProvider time) : ICommandHandler
{
    public string Name => "ping";

    public ValueTask HandleAsync(CommandContext context)
    {
        context.Reply(new PingResult(time.GetUtcNow().ToUnixTimeMilliseconds()), HeartlineJsonContext.Default.PingResult);
        return ValueTask.CompletedTask;
    }
}

internal sealed partial class PresenceCommand(PresenceTracker presence, ILogger<PresenceCommand> logger) : ICommandHandler
{
    public string Name => "presence";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.PresenceArgs);
        if (args is null) return;
        var office = args.Office ?? context.User.OfficeKey;
        if (!context.User.CanObserve(office))
        {
            context.Error(ErrorCodes.Forbidden, "another office / 다른 사무실입니다");
            return;
        }
        IReadOnlyList<PresenceUser> users;
        try
        {
            users = await presence.ListAsync(office, context.Connection.Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            // Only in a cluster, where the other nodes' users come from the database.
            Log.ListFailed(logger, ex, office);
            context.Error(ErrorCodes.Unavailable, "presence unavailable, retry later / 잠시 후 다시 시도하세요");
            return;
        }
        context.Reply(new PresenceResult(office, users), HeartlineJsonContext.Default.PresenceResult);
    }

    private static partial class Log
    {
        [LoggerMessage(1202, LogLevel.Error, "The presence of office {Office} could not be read from the other nodes.")]
        public static partial void ListFailed(ILogger logger, Exception exception, string office);
    }
}
