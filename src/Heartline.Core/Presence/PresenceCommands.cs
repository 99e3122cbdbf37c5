using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Core.Presence;

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

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.PresenceArgs);
        if (args is null || !context.TryObserveOffice(args.Office, out var office)) return;
        var users = await presence.ListAsync(office, context.Connection.Aborted).ConfigureAwait(false);
        context.Reply(new PresenceResult(office, users), HeartlineJsonContext.Default.PresenceResult);
    }
}
