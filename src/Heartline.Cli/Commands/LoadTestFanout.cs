using System.Globalization;

namespace Heartline.Cli.Commands;

/// <summary>
/// Scenario (a), PTT notify fan-out: each round every office's speaker presses; each listener's latency runs from the
/// moment the press was written to its socket until that listener received <c>session_started</c>. Then the speaker
/// releases and the round ends when every listener saw <c>session_ended</c>.
/// </summary>
internal static class LoadTestFanout
{
    private static readonly byte[] SessionStarted = "\"session_started\""u8.ToArray();
    private static readonly byte[] SessionEnded = "\"session_ended\""u8.ToArray();

    public static async Task RunAsync(LoadTestRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var offices = Enumerable.Range(0, settings.Offices).Select(_ => new OfficeRound()).ToArray();
        var notify = new LoadTestHistogram();
        var grant = new LoadTestHistogram();
        long delivered = 0;
        long expected = 0;

        await run.ConnectAsync(withSpeakers: true, "pickup_driver", client => client.OnPush = (c, message, arrived) =>
        {
            if (c.IsSpeaker) return;
            var office = offices[c.Office];
            var span = message.Span;
            if (span.IndexOf(SessionStarted) >= 0)
            {
                notify.Record(Volatile.Read(ref office.PressedAt), arrived);
                Interlocked.Increment(ref delivered);
                if (Interlocked.Decrement(ref office.AwaitingStart) == 0) office.AllStarted.TrySetResult();
            }
            else if (span.IndexOf(SessionEnded) >= 0 && Interlocked.Decrement(ref office.AwaitingEnd) == 0)
            {
                office.AllEnded.TrySetResult();
            }
        }, cancellationToken).ConfigureAwait(false);

        run.MeasureStart();
        run.Progress.Stage("rounds", settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            var presses = new List<Task>();
            for (var o = 0; o < offices.Length; o++)
            {
                if (run.Fleet.Speakers[o] is not { } speaker) continue;
                offices[o].Reset(run.Fleet.Members[o].Count);
                expected += run.Fleet.Members[o].Count;
                presses.Add(PressRoundAsync(run, speaker, offices[o], grant, cancellationToken));
            }
            await Task.WhenAll(presses).ConfigureAwait(false);
            run.Progress.Advance();
            var summary = notify.Summarize();
            run.Progress.Detail = string.Create(CultureInfo.InvariantCulture, $"notify p50 {summary.P50} ms, p99 {summary.P99} ms");
            if (round + 1 < settings.Rounds) await Task.Delay(settings.Interval, cancellationToken).ConfigureAwait(false);
        }
        run.MeasureEnd();

        var result = run.Result;
        result.Rounds = settings.Rounds;
        result.NotifyMs = notify.Summarize();
        result.GrantMs = grant.Summarize();
        result.Expected = expected;
        result.Delivered = Interlocked.Read(ref delivered);
        result.Checks.Add(new LoadTestCheck("every listener notified", result.Delivered == expected && expected > 0,
            $"{result.Delivered}/{expected}"));
        if (settings.Preset == LoadTestSettings.SeedPreset)
        {
            var allConnected = result.Connect!.Failed == 0;
            result.Checks.Add(new LoadTestCheck("seed 001: 100 users join, all succeed, average under 100 ms",
                allConnected && result.Delivered == expected && result.NotifyMs.Mean < 100,
                string.Create(CultureInfo.InvariantCulture, $"{result.Connect.Connected}/{result.Connect.Attempted} connected, average {result.NotifyMs.Mean} ms")));
        }
    }

    private static async Task PressRoundAsync(LoadTestRun run, LoadTestClient speaker, OfficeRound office, LoadTestHistogram grant,
        CancellationToken cancellationToken)
    {
        LoadReply press;
        using (var deadline = run.Deadline(cancellationToken))
        {
            try
            {
                press = await speaker.RequestAsync("ptt.press", "{}", deadline.Token, at => Volatile.Write(ref office.PressedAt, at))
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
            {
                run.Fleet.Error("press:" + (ex is OperationCanceledException ? "timeout" : "socket"));
                return;
            }
        }
        if (!press.Ok)
        {
            run.Fleet.Error("press:" + press.ErrorCode);
            return;
        }
        grant.Record(press.SentAt, press.ReceivedAt);
        if (!await run.WithinTimeoutAsync(office.AllStarted.Task, cancellationToken).ConfigureAwait(false))
            run.Fleet.Error("notify:timeout");
        var epoch = press.Result.GetProperty("epoch").GetInt64();
        using var releaseDeadline = run.Deadline(cancellationToken);
        try
        {
            var release = await speaker.RequestAsync("ptt.release", $"{{\"epoch\":{epoch}}}", releaseDeadline.Token).ConfigureAwait(false);
            if (!release.Ok) run.Fleet.Error("release:" + release.ErrorCode);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            run.Fleet.Error("release:" + (ex is OperationCanceledException ? "timeout" : "socket"));
            return;
        }
        if (!await run.WithinTimeoutAsync(office.AllEnded.Task, cancellationToken).ConfigureAwait(false))
            run.Fleet.Error("session_ended:timeout");
    }

    /// <summary>One office's state within a round; the receive threads count down, the round awaits.</summary>
    private sealed class OfficeRound
    {
        public long PressedAt;
        public int AwaitingStart;
        public int AwaitingEnd;
        public TaskCompletionSource AllStarted = Completed();
        public TaskCompletionSource AllEnded = Completed();

        public void Reset(int listeners)
        {
            Volatile.Write(ref PressedAt, 0);
            AllStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            AllEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref AwaitingStart, listeners);
            Volatile.Write(ref AwaitingEnd, listeners);
            if (listeners == 0)
            {
                AllStarted.TrySetResult();
                AllEnded.TrySetResult();
            }
        }

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }
}
