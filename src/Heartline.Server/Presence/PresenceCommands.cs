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

internal sealed class PresenceCommand(PresenceTracker presence) : ICommandHandler
{
    public string Name => "presence";

    public ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.PresenceArgs);
        if (args is null) return ValueTask.CompletedTask;
        if (!context.TryObserveOffice(args.Office, out var office)) return ValueTask.CompletedTask;
        context.Reply(new PresenceResult(office, presence.List(office)), HeartlineJsonContext.Default.PresenceResult);
        return ValueTask.CompletedTask;
    }
}
