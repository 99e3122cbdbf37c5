using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary><c>voip.call {to, media}</c>: rings a connected party of the caller's tenant (docs/voip.md).</summary>
internal sealed class CallCommand(CallControl calls, GuestStore store, IOptions<VoipOptions> options) : ICommandHandler
{
    public string Name => "voip.call";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!CallCommands.Allowed(context)) return;
        var args = context.ReadArgs(VoipJson.Default.CallArgs);
        if (args is null) return;
        var media = args.Media ?? "video";
        if (args.To is not { Length: > 0 and <= 64 } to || media is not ("audio" or "video"))
        {
            context.Error(ErrorCodes.BadRequest, "to (a party id) is required and media is audio or video");
            return;
        }
        var principal = context.Principal;
        if (to == principal.SubjectId)
        {
            context.Error(ErrorCodes.BadRequest, "you cannot call yourself");
            return;
        }
        var tenant = VoipParties.TenantOf(principal, options.Value.DefaultTenant);
        var callee = await store.FindAsync(to, context.Connection.Aborted).ConfigureAwait(false);
        if (callee is null || callee.Tenant != tenant || callee.ConnectionId is null || callee.DisconnectedAt is not null)
        {
            context.Error(VoipErrors.Unreachable, "the callee is not connected");
            return;
        }
        var outcome = await calls.InviteAsync(new PartyInfo(principal.SubjectId, principal.Name), context.Connection.Id,
            new PartyInfo(callee.Id, callee.Name), tenant, media, context.Connection.Aborted).ConfigureAwait(false);
        CallCommands.Reply(context, outcome);
    }
}

/// <summary><c>voip.accept</c>, <c>voip.reject</c>, <c>voip.cancel</c>, <c>voip.hangup</c> <c>{call_id}</c>.</summary>
internal sealed class AcceptCommand(CallControl calls) : ICommandHandler
{
    public string Name => "voip.accept";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!CallCommands.Allowed(context) || CallCommands.CallId(context) is not { } callId) return;
        CallCommands.Reply(context, await calls.AcceptAsync(context.Principal.SubjectId, context.Connection.Id, callId,
            context.Connection.Aborted).ConfigureAwait(false));
    }
}

internal sealed class RejectCommand(CallControl calls) : EndCommand(calls, "reject");

internal sealed class CancelCommand(CallControl calls) : EndCommand(calls, "cancel");

internal sealed class HangupCommand(CallControl calls) : EndCommand(calls, "hangup");

internal abstract class EndCommand(CallControl calls, string verb) : ICommandHandler
{
    public string Name => "voip." + verb;

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!CallCommands.Allowed(context) || CallCommands.CallId(context) is not { } callId) return;
        var outcome = await calls.EndByPartyAsync(context.Principal.SubjectId, callId, verb, context.Connection.Aborted).ConfigureAwait(false);
        if (outcome.Error is { } error) context.Error(error, outcome.Message!);
        else context.Reply(new EmptyReply(), VoipJson.Default.EmptyReply);
    }
}

/// <summary><c>voip.signal {call_id, kind, data}</c>: an SDP offer or answer, or an ICE candidate, for the other party.</summary>
internal sealed class SignalCommand(CallControl calls, IOptions<VoipOptions> options) : ICommandHandler
{
    public string Name => "voip.signal";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!CallCommands.Allowed(context)) return;
        var args = context.ReadArgs(VoipJson.Default.SignalArgs);
        if (args is null) return;
        if (args.CallId is not { Length: > 0 } callId || args.Kind is not ("offer" or "answer" or "ice")
            || args.Data.ValueKind is System.Text.Json.JsonValueKind.Undefined)
        {
            context.Error(ErrorCodes.BadRequest, "call_id, kind (offer, answer or ice) and data are required");
            return;
        }
        if (args.Data.GetRawText().Length > options.Value.MaxSignalBytes)
        {
            context.Error(ErrorCodes.LimitExceeded, $"data is larger than {options.Value.MaxSignalBytes} bytes");
            return;
        }
        if (await calls.SignalAsync(context.Principal.SubjectId, callId, args.Kind, args.Data.Clone(), context.Connection.Aborted)
                .ConfigureAwait(false))
            context.Reply(new EmptyReply(), VoipJson.Default.EmptyReply);
        else context.Error(VoipErrors.NoCall, "no such call of yours");
    }
}

/// <summary><c>voip.pong {seq}</c>: answers the server's <c>voip.ping</c>.</summary>
internal sealed class PongCommand(GuestSessions sessions) : ICommandHandler
{
    public string Name => "voip.pong";

    public ValueTask HandleAsync(CommandContext context)
    {
        if (!CallCommands.Allowed(context)) return ValueTask.CompletedTask;
        var args = context.ReadArgs(VoipJson.Default.PongArgs);
        if (args is null) return ValueTask.CompletedTask;
        sessions.Of(context.Connection)?.Pong(args.Seq);
        context.Reply(new EmptyReply(), VoipJson.Default.EmptyReply);
        return ValueTask.CompletedTask;
    }
}

/// <summary><c>voip.renew</c>: a fresh guest token for the next reconnect, while the guest is connected.</summary>
internal sealed class RenewCommand(ITokenIssuer tokens, IOptions<VoipOptions> options, TimeProvider time) : ICommandHandler
{
    public string Name => "voip.renew";

    public ValueTask HandleAsync(CommandContext context)
    {
        var principal = context.Principal;
        if (!VoipParties.IsGuest(principal))
        {
            context.Error(ErrorCodes.Forbidden, "only guests renew their token here");
            return ValueTask.CompletedTask;
        }
        var lifetime = TimeSpan.FromSeconds(options.Value.GuestTokenLifetimeSeconds);
        var token = tokens.Mint(principal.SubjectId, principal.Name, [VoipParties.GuestRole], null, lifetime, PrincipalKind.Guest,
            VoipParties.TenantOf(principal, options.Value.DefaultTenant));
        context.Reply(new RenewReply(token, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()), VoipJson.Default.RenewReply);
        return ValueTask.CompletedTask;
    }
}

internal static class CallCommands
{
    public static bool Allowed(CommandContext context)
    {
        if (VoipParties.IsParty(context.Principal)) return true;
        context.Error(ErrorCodes.Forbidden, "VoIP commands are for guests and VoIP users");
        return false;
    }

    public static string? CallId(CommandContext context)
    {
        var args = context.ReadArgs(VoipJson.Default.CallIdArgs);
        if (args is null) return null;
        if (args.CallId is { Length: > 0 and <= 64 } callId) return callId;
        context.Error(ErrorCodes.BadRequest, "call_id is required");
        return null;
    }

    public static void Reply(CommandContext context, CallOutcome outcome)
    {
        if (outcome.Error is { } error) context.Error(error, outcome.Message!);
        else context.Reply(new CallReply(outcome.Call!.CallId, outcome.Call.State, outcome.Glare), VoipJson.Default.CallReply);
    }
}
