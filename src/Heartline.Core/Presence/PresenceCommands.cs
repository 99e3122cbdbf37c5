using Heartline.Core.Channels;
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

/// <summary>
/// <c>presence {scope}</c>: who is in a scope (default: the connection's first scope), for those the scope's module
/// lets watch it. <c>office</c> is the older name of <c>scope</c>.
/// </summary>
internal sealed class PresenceCommand(PresenceTracker presence, PresenceScopes scopes) : ICommandHandler
{
    public string Name => "presence";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.PresenceArgs);
        if (args is null) return;
        var scope = args.Scope ?? args.Office ?? (context.Connection.Scopes.Count > 0 ? context.Connection.Scopes[0] : null);
        if (scope is null)
        {
            context.Error(ErrorCodes.BadRequest, "scope is required: this connection is in no presence scope");
            return;
        }
        if (!ChannelName.IsPath(scope) || !scopes.CanObserve(context.Principal, scope))
        {
            context.Error(ErrorCodes.Forbidden, "not allowed to watch this scope");
            return;
        }
        var users = await presence.ListAsync(scope, context.Connection.Aborted).ConfigureAwait(false);
        context.Reply(new PresenceResult(scope, users), HeartlineJsonContext.Default.PresenceResult);
    }
}
