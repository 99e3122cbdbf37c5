using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Ptt;

internal sealed class PressCommand(IFloorControl floors, TimeProvider time) : ICommandHandler
{
    public string Name => "ptt.press";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var received = time.GetTimestamp();
        if (!PttChannels.IsMemberRole(context.User.Role))
        {
            context.Error(ErrorCodes.Forbidden, "only call managers and drivers can talk / 말할 권한이 없습니다");
            return;
        }
        var options = floors.Options;
        var outcome = await floors.PressAsync(context.Connection, received, (grant, preempted) =>
            context.Reply(new PressResult(grant.SessionId, grant.Epoch, PttChannels.MediaChannel(grant.Office), grant.StartedAtMs,
                options.LeaseMs, options.MaxTalkMs, preempted ? true : null), PttJsonContext.Default.PressResult)).ConfigureAwait(false);
        if (outcome.Busy is { } busy)
        {
            context.Error(ErrorCodes.FloorBusy, $"{busy.Speaker.Name} is talking / {busy.Speaker.Name}님이 통화 중입니다",
                new BusyDetails(busy.Speaker, busy.SessionId), PttJsonContext.Default.BusyDetails);
        }
        else if (!context.Replied)
        {
            // Pressing again while already holding the floor: the current grant is the answer.
            var grant = outcome.Granted!;
            context.Reply(new PressResult(grant.SessionId, grant.Epoch, PttChannels.MediaChannel(grant.Office), grant.StartedAtMs,
                options.LeaseMs, options.MaxTalkMs, null), PttJsonContext.Default.PressResult);
        }
    }
}

internal sealed class ReleaseCommand(IFloorControl floors) : ICommandHandler
{
    public string Name => "ptt.release";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.EpochArgs);
        if (args is null) return;
        if (args.Epoch is not { } epoch)
        {
            context.Error(ErrorCodes.BadRequest, "epoch is required / epoch가 필요합니다");
            return;
        }
        var released = await floors.ReleaseAsync(context.Connection, epoch).ConfigureAwait(false);
        context.Reply(new ReleaseResult(released), PttJsonContext.Default.ReleaseResult);
    }
}

internal sealed class KeepaliveCommand(IFloorControl floors) : ICommandHandler
{
    public string Name => "ptt.keepalive";

    public ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.EpochArgs);
        if (args is null) return ValueTask.CompletedTask;
        if (args.Epoch is not { } epoch || !floors.Keepalive(context.Connection, epoch))
        {
            context.Error(ErrorCodes.NotFloorHolder, "you do not hold the floor / 발언권이 없습니다");
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

internal sealed class StateCommand(IFloorControl floors) : ICommandHandler
{
    public string Name => "ptt.state";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.OfficeArgs);
        if (args is null || !context.TryObserveOffice(args.Office, out var office)) return;
        context.Reply(await floors.StateAsync(office, context.Connection.Aborted).ConfigureAwait(false), PttJsonContext.Default.PttState);
    }
}

internal sealed class ReportCommand(IFloorControl floors, PttStore store) : ICommandHandler
{
    public string Name => "ptt.report";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(PttJsonContext.Default.ReportArgs);
        if (args is null) return;
        if (args.SessionId is not { Length: > 0 and <= 64 } sessionId || !InRange(args.NotifyMs) || !InRange(args.TokenMs) || !InRange(args.JoinMs))
        {
            context.Error(ErrorCodes.BadRequest, "session_id and latencies 0..600000 ms / 잘못된 값");
            return;
        }
        if (!await floors.IsRecentSessionAsync(context.User.OfficeKey, sessionId, context.Connection.Aborted).ConfigureAwait(false))
        {
            context.Error(ErrorCodes.NotFound, "no such recent session / 최근 세션이 아닙니다");
            return;
        }
        store.Report(sessionId, context.Connection.Id, args.NotifyMs, args.TokenMs, args.JoinMs);
        context.ReplyEmpty();
    }

    private static bool InRange(double? value) => value is null or (>= 0 and <= 600_000);
}
