using System.Text.Json;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Resolves a channel name to its namespace policy, answering the error itself when there is none.</summary>
internal sealed class ChannelAccess
{
    private readonly Dictionary<string, IChannelPolicy> _policies = new(StringComparer.Ordinal);

    public ChannelAccess(IEnumerable<IChannelPolicy> policies)
    {
        foreach (var policy in policies)
        {
            if (!_policies.TryAdd(policy.Namespace, policy))
                throw new InvalidOperationException($"Channel namespace '{policy.Namespace}' is owned by both {_policies[policy.Namespace].GetType().Name} and {policy.GetType().Name}.");
        }
    }

    /// <summary>The policy of a channel name, or null when the name is malformed or its namespace unknown.</summary>
    public IChannelPolicy? Find(string channel, out string path) =>
        ChannelName.TryParse(channel, out var ns, out path) && _policies.TryGetValue(ns, out var policy) ? policy : null;

    public bool TryResolve(CommandContext context, string? channel, out IChannelPolicy policy, out string path)
    {
        policy = null!;
        path = "";
        if (channel is null)
        {
            context.Error(ErrorCodes.BadRequest, "channel is required");
            return false;
        }
        if (!ChannelName.TryParse(channel, out var ns, out path) || !_policies.TryGetValue(ns, out policy!))
        {
            context.Error(ErrorCodes.InvalidChannel, "invalid channel name");
            return false;
        }
        return true;
    }
}

internal sealed class SubscribeCommand(ChannelHub hub, ChannelAccess access, ChannelBudget budget, ChannelPresence presence,
    IOptions<RealtimeOptions> options) : ICommandHandler
{
    public string Name => "subscribe";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.SubscribeArgs);
        if (args is null || !access.TryResolve(context, args.Channel, out var policy, out var path)) return;
        var channel = args.Channel!;
        if (policy.CanSubscribe(context.Principal, path) is { } denied)
        {
            context.Error(denied, "not allowed to subscribe");
            return;
        }
        var subscriptions = context.Connection.Subscriptions;
        if (subscriptions.Contains(channel))
        {
            context.Error(ErrorCodes.AlreadySubscribed, "already subscribed");
            return;
        }
        if (subscriptions.Count >= options.Value.MaxSubscriptions)
        {
            context.Error(ErrorCodes.LimitExceeded, $"too many subscriptions on this connection (at most {options.Value.MaxSubscriptions})");
            return;
        }
        if (!budget.TryUse(channel))
        {
            context.Error(ErrorCodes.LimitExceeded, $"too many channels in {ChannelBudget.ScopeOf(channel)}");
            return;
        }
        StreamPosition? since = args.Since is { Epoch: { } epoch } s ? new StreamPosition(s.Offset, epoch) : null;
        // Present before subscribed: whoever the reply's history leads to the presence list finds this connection in it.
        var present = policy.HasPresence(path);
        if (present) await presence.EnterAsync(context.Connection, channel).ConfigureAwait(false);
        subscriptions.Add(channel);
        var id = context.Id;
        try
        {
            // The hub queues the reply itself, ahead of the channel's next publication.
            await hub.SubscribeAsync(context.Connection, channel, since, (outcome, missed) => BuildReply(id, channel, outcome, missed),
                context.Connection.Aborted).ConfigureAwait(false);
        }
        catch
        {
            // Only with a shared log (a cluster) can this fail: the dispatcher answers, the channel is not subscribed.
            subscriptions.Remove(channel);
            if (present) await presence.LeaveAsync(context.Connection, channel).ConfigureAwait(false);
            throw;
        }
        context.MarkReplied();
    }

    /// <summary>The reply embeds the missed <c>pub</c> frames as they were sent live.</summary>
    private static byte[] BuildReply(long id, string channel, SubscribeOutcome outcome, IReadOnlyList<HistoryEntry> missed)
    {
        var w = FrameWriter.Begin();
        w.WriteNumber("id", id);
        w.WriteStartObject("result");
        w.WriteString("channel", channel);
        w.WriteString("epoch", outcome.Epoch);
        w.WriteNumber("offset", outcome.Offset);
        w.WriteBoolean("recovered", outcome.Recovered);
        w.WriteStartArray("publications");
        foreach (var entry in missed) w.WriteRawValue(entry.Frame, skipInputValidation: true);
        w.WriteEndArray();
        w.WriteEndObject();
        return FrameWriter.Finish(w);
    }
}

internal sealed class UnsubscribeCommand(ChannelHub hub, ChannelPresence presence) : ICommandHandler
{
    public string Name => "unsubscribe";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.ChannelArgs);
        if (args is null) return;
        if (args.Channel is null || !context.Connection.Subscriptions.Remove(args.Channel))
        {
            context.Error(ErrorCodes.NotSubscribed, "not subscribed");
            return;
        }
        await hub.Unsubscribe(context.Connection, args.Channel).ConfigureAwait(false);
        await presence.LeaveAsync(context.Connection, args.Channel).ConfigureAwait(false);
        context.ReplyEmpty();
    }
}

internal sealed class PublishCommand(ChannelHub hub, ChannelAccess access, ChannelBudget budget) : ICommandHandler
{
    public string Name => "publish";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.Args;
        if (args.ValueKind != JsonValueKind.Object || !args.TryGetProperty("channel", out var channelElement)
            || channelElement.ValueKind != JsonValueKind.String || !args.TryGetProperty("data", out var data))
        {
            context.Error(ErrorCodes.BadRequest, "publish needs \"channel\" and \"data\"");
            return;
        }
        var channel = channelElement.GetString();
        if (!access.TryResolve(context, channel, out var policy, out var path)) return;
        if (policy.CanPublish(context.Principal, path) is { } denied)
        {
            context.Error(denied, "not allowed to publish");
            return;
        }
        if (!budget.TryUse(channel!))
        {
            context.Error(ErrorCodes.LimitExceeded, $"too many channels in {ChannelBudget.ScopeOf(channel!)}");
            return;
        }
        var position = await hub.PublishAsync(channel!, data, context.Connection.Aborted).ConfigureAwait(false);
        context.Reply(new PublishResult(position.Offset, position.Epoch), HeartlineJsonContext.Default.PublishResult);
    }
}
