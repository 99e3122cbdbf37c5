using System.Globalization;

namespace Heartline.Cli.Commands;

/// <summary>
/// Scenario (d), press storm: each round every member of every office presses at once; exactly one press per office
/// may be granted and all others must be answered <c>floor_busy</c>. The winner releases before the next round.
/// </summary>
internal static class LoadTestStorm
{
    public static async Task RunAsync(LoadTestRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        await run.ConnectAsync(withSpeakers: false, "pickup_driver", _ => { }, cancellationToken).ConfigureAwait(false);

        var grant = new LoadTestHistogram();
        var busy = new LoadTestHistogram();
        var grantsPerRound = new int[settings.Rounds];
        var badOffices = 0;
        run.MeasureStart();
        run.Progress.Stage("rounds", settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            var perOffice = await Task.WhenAll(Enumerable.Range(0, settings.Offices)
                .Select(o => StormAsync(run, run.Fleet.Members[o], grant, busy, cancellationToken))).ConfigureAwait(false);
            grantsPerRound[round] = perOffice.Sum();
            badOffices += perOffice.Count(g => g != 1);
            run.Progress.Advance();
            run.Progress.Detail = string.Create(CultureInfo.InvariantCulture, $"grants this round {grantsPerRound[round]}, offices without exactly one {badOffices}");
            if (round + 1 < settings.Rounds) await Task.Delay(settings.Interval, cancellationToken).ConfigureAwait(false);
        }
        run.MeasureEnd();

        var result = run.Result;
        result.Rounds = settings.Rounds;
        result.GrantsPerRound = grantsPerRound;
        result.GrantMs = grant.Summarize();
        result.BusyMs = busy.Summarize();
        result.Checks.Add(new LoadTestCheck("exactly one grant per office per round", badOffices == 0,
            $"{badOffices} office-rounds without exactly one grant"));
    }

    /// <summary>One office's storm: returns the number of grants.</summary>
    private static async Task<int> StormAsync(LoadTestRun run, List<LoadTestClient> members, LoadTestHistogram grant, LoadTestHistogram busy,
        CancellationToken cancellationToken)
    {
        using var deadline = run.Deadline(cancellationToken);
        var presses = new Task<LoadReply>[members.Count];
        // Started in a tight loop: each send runs on its own socket, so the presses reach the server together.
        for (var i = 0; i < members.Count; i++) presses[i] = members[i].RequestAsync("ptt.press", "{}", deadline.Token);
        var grants = 0;
        LoadTestClient? winner = null;
        long epoch = 0;
        for (var i = 0; i < presses.Length; i++)
        {
            LoadReply reply;
            try
            {
                reply = await presses[i].ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
            {
                run.Fleet.Error("press:" + (ex is OperationCanceledException ? "timeout" : "socket"));
                continue;
            }
            if (reply.Ok)
            {
                grants++;
                grant.Record(reply.SentAt, reply.ReceivedAt);
                winner = members[i];
                epoch = reply.Result.GetProperty("epoch").GetInt64();
            }
            else if (reply.ErrorCode == "floor_busy")
            {
                busy.Record(reply.SentAt, reply.ReceivedAt);
            }
            else
            {
                run.Fleet.Error("press:" + reply.ErrorCode);
            }
        }
        if (winner is null) return grants;
        try
        {
            var release = await winner.RequestAsync("ptt.release", $"{{\"epoch\":{epoch}}}", deadline.Token).ConfigureAwait(false);
            if (!release.Ok) run.Fleet.Error("release:" + release.ErrorCode);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            run.Fleet.Error("release:" + (ex is OperationCanceledException ? "timeout" : "socket"));
        }
        return grants;
    }
}
