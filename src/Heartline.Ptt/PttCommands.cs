using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Ptt;

internal sealed class PressCommand(FloorControl floors, TimeProvider time) : ICommandHandler
{
    public string Name => "ptt.press";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var received = time.GetTimestamp();
        if (!context.Principal.Has(PttRoles.Talk) || context.Principal.OfficeKey() is null)
        {
            context.Error(ErrorCodes.Forbidden, "only call managers and drivers of an office can talk");
            return;
        }
        var options = floors.Options;
        // The answer follows the pushes the press caused (docs/protocol.md 2.2): the speaker's own session_started first.
        var outcome = await floors.PressAsync(context.Connection, received).ConfigureAwait(false);
        if (outcome.Busy is { } busy)
        {
            context.Error(PttErrors.FloorBusy, $"{busy.Speaker.Name} is talking",
                new BusyDetails(busy.Speaker, busy.SessionId), PttJsonContext.Default.BusyDetails);
            return;
        }
        // Pressing again while already holding the floor: the current grant is the answer.
        var grant = outcome.Granted!.Value;
        // Acknowledged once stored (docs/protocol.md 10.2): a crash after the reply still finds the session.
        if (outcome.Stored is { } stored) await stored.ConfigureAwait(false);
        context.Reply(new PressResult(grant.SessionId, grant.Epoch, PttChannels.MediaChannel(grant.Office), grant.StartedAtMs,
            options.LeaseMs, options.MaxTalkMs, outcome.Preempted ? true : null), PttJsonContext.Default.PressResult);
    }
}

internal sealed class ReleaseCommand(FloorControl floors) : ICommandHandler
{
    public string Name => "ptt.release";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.EpochArgs);
        if (args is null) return;
        if (args.Epoch is not { } epoch)
        {
            context.Error(ErrorCodes.BadRequest, "epoch is required");
            return;
        }
        var released = await floors.ReleaseAsync(context.Connection, epoch).ConfigureAwait(false);
        // Acknowledged once stored: a crash after the reply cannot turn a release into a server_restart.
        if (released) await floors.StoredAsync().ConfigureAwait(false);
        context.Reply(new ReleaseResult(released), PttJsonContext.Default.ReleaseResult);
    }
}

internal sealed class KeepaliveCommand(FloorControl floors) : ICommandHandler
{
    public string Name => "ptt.keepalive";

    public ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.EpochArgs);
        if (args is null) return ValueTask.CompletedTask;
        if (args.Epoch is not { } epoch || !floors.Keepalive(context.Connection, epoch))
        {
            context.Error(PttErrors.NotFloorHolder, "you do not hold the floor");
            return ValueTask.CompletedTask;
        }
        context.Reply(new KeepaliveResult(floors.Options.LeaseMs), PttJsonContext.Default.KeepaliveResult);
        return ValueTask.CompletedTask;
    }
}

internal sealed class HeartbeatCommand(TimeProvider time) : ICommandHandler
{
    public string Name => "ptt.heartbeat";

    public ValueTask HandleAsync(CommandContext context)
    {
        // Any frame already moved last_seen; the explicit heartbeat of the seed stays for clients that send only it.
        context.Reply(new HeartbeatResult(time.GetUtcNow().ToUnixTimeMilliseconds()), PttJsonContext.Default.HeartbeatResult);
        return ValueTask.CompletedTask;
    }
}

internal sealed class StateCommand(FloorControl floors) : ICommandHandler
{
    public string Name => "ptt.state";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.OfficeArgs);
        if (args is null || !context.TryObserveOffice(args.Office, out var office)) return;

        context.Reply(await floors.StateAsync(office, context.Connection.Aborted).ConfigureAwait(false), PttJsonContext.Default.PttState);
    }
}

internal sealed class ReportCommand(FloorControl floors, PttStore store) : ICommandHandler
{
    public string Name => "ptt.report";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.ReportArgs);
        if (args is null) return;
        if (args.SessionId is not { Length: > 0 and <= 64 } sessionId || !InRange(args.NotifyMs) || !InRange(args.TokenMs) || !InRange(args.JoinMs))
        {
            context.Error(ErrorCodes.BadRequest, "session_id and latencies 0..600000 ms");
            return;
        }
        if (context.Principal.OfficeKey() is not { } office
            || !await floors.IsRecentSessionAsync(office, sessionId, context.Connection.Aborted).ConfigureAwait(false))
        {
            context.Error(ErrorCodes.NotFound, "no such recent session");
            return;
        }
        store.Report(sessionId, context.Connection.Id, args.NotifyMs, args.TokenMs, args.JoinMs);
        context.ReplyEmpty();
    }

    private static bool InRange(double? value) => value is null or (>= 0 and <= 600_000);
}

internal static class PttCommandContextExtensions
{
    /// <summary>
    /// The office a command addresses: <paramref name="requested"/> or the caller's own. Replies <c>forbidden</c> and
    /// returns false when the caller may not observe it (only administrators see other offices), <c>bad_request</c>
    /// when it names none and the caller has none.
    /// </summary>
    public static bool TryObserveOffice(this CommandContext context, string? requested, out string office)
    {
        office = requested ?? context.Principal.OfficeKey() ?? "";
        if (office.Length == 0)
        {
            context.Error(ErrorCodes.BadRequest, "office is required: the token names no office");
            return false;
        }
        if (context.Principal.CanObserve(office)) return true;
        context.Error(ErrorCodes.Forbidden, "another office");
        return false;
    }
}
