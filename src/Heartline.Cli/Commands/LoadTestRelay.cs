using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Heartline.Cli.Commands;

/// <summary>
/// Scenario (b), audio relay: every office's speaker presses, then streams audio frames (docs/protocol.md 10.5) on a
/// fixed schedule (default 50 per second, 20 ms of Opus each) for the duration. The first 8 payload bytes carry the
/// send timestamp, so each listener measures the latency the relay added to each frame; frames delivered per second
/// count every listener's copy.
/// </summary>
internal static class LoadTestRelay
{
    private const int HeaderLength = 13;

    public static async Task RunAsync(LoadTestRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var latency = new LoadTestHistogram();
        var sendLag = new LoadTestHistogram();
        long delivered = 0;
        long outOfOrder = 0;
        long lastArrival = 0;

        await run.ConnectAsync(withSpeakers: true, "pickup_driver", client => client.OnBinary = (c, frame, arrived) =>
        {
            var span = frame.Span;
            if (span.Length < HeaderLength + 8) return;
            latency.Record(BinaryPrimitives.ReadInt64LittleEndian(span[HeaderLength..]), arrived);
            var sequence = BinaryPrimitives.ReadUInt32BigEndian(span[9..13]);
            if (sequence != c.LastSequence + 1) Interlocked.Increment(ref outOfOrder);
            c.LastSequence = sequence;
            Interlocked.Increment(ref delivered);
            Volatile.Write(ref lastArrival, arrived);
        }, cancellationToken).ConfigureAwait(false);

        var speakers = Enumerable.Range(0, settings.Offices)
            .Select(o => (Office: o, Speaker: run.Fleet.Speakers[o], Listeners: run.Fleet.Members[o].Count))
            .Where(s => s.Speaker is not null).ToArray();
        var epochs = new long?[settings.Offices];
        await Task.WhenAll(speakers.Select(async s => epochs[s.Office] = await PressAsync(run, s.Speaker!, cancellationToken)
            .ConfigureAwait(false))).ConfigureAwait(false);
        var granted = speakers.Where(s => epochs[s.Office] is not null).ToArray();

        run.MeasureStart();
        var interval = TimeSpan.FromSeconds(1.0 / settings.FramesPerSecond);
        var framesPerSpeaker = (int)(settings.Duration.TotalSeconds * settings.FramesPerSecond);
        run.Progress.Stage("streaming", framesPerSpeaker);
        var started = Stopwatch.GetTimestamp();
        var sent = await Task.WhenAll(granted.Select(s =>
            StreamAsync(run, s.Speaker!, epochs[s.Office]!.Value, framesPerSpeaker, interval, started, sendLag, latency, cancellationToken)))
            .ConfigureAwait(false);
        long expected = 0;
        for (var i = 0; i < sent.Length; i++) expected += sent[i] * granted[i].Listeners;
        // Frames still in flight get a moment to land before the count is taken.
        var drain = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref delivered) < expected && Stopwatch.GetElapsedTime(drain) < TimeSpan.FromSeconds(2))
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started, Math.Max(Volatile.Read(ref lastArrival), started)).TotalSeconds;
        run.MeasureEnd();
        await Task.WhenAll(granted.Select(s => ReleaseAsync(run, s.Speaker!, epochs[s.Office]!.Value, cancellationToken))).ConfigureAwait(false);

        var result = run.Result;
        result.FrameMs = latency.Summarize();
        result.SendLagMs = sendLag.Summarize();
        result.DurationSeconds = Math.Round(elapsed, 2);
        result.FramesSent = sent.Sum();
        result.Expected = expected;
        result.FramesDelivered = result.Delivered = Interlocked.Read(ref delivered);
        result.DeliveredPerSecond = elapsed > 0 ? Math.Round(result.FramesDelivered.Value / elapsed) : 0;
        result.FramesOutOfOrder = Interlocked.Read(ref outOfOrder);
        var lost = expected - result.FramesDelivered.Value;
        result.Checks.Add(new LoadTestCheck("frames delivered in order", result.FramesOutOfOrder == 0 && lost == 0 && expected > 0,
            string.Create(CultureInfo.InvariantCulture, $"{result.FramesDelivered}/{expected} delivered, {result.FramesOutOfOrder} out of sequence")));
    }

    private static async Task<long?> PressAsync(LoadTestRun run, LoadTestClient speaker, CancellationToken cancellationToken)
    {
        using var deadline = run.Deadline(cancellationToken);
        try
        {
            var press = await speaker.RequestAsync("ptt.press", "{}", deadline.Token).ConfigureAwait(false);
            if (press.Ok) return press.Result.GetProperty("epoch").GetInt64();
            run.Fleet.Error("press:" + press.ErrorCode);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            run.Fleet.Error("press:" + (ex is OperationCanceledException ? "timeout" : "socket"));
        }
        return null;
    }

    private static async Task ReleaseAsync(LoadTestRun run, LoadTestClient speaker, long epoch, CancellationToken cancellationToken)
    {
        using var deadline = run.Deadline(cancellationToken);
        try
        {
            await speaker.RequestAsync("ptt.release", $"{{\"epoch\":{epoch}}}", deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            run.Fleet.Error("release:" + (ex is OperationCanceledException ? "timeout" : "socket"));
        }
    }

    /// <summary>Sends frame k at start + k × interval; when the driver falls behind it sends at once and the lag shows.</summary>
    private static async Task<long> StreamAsync(LoadTestRun run, LoadTestClient speaker, long epoch, int frames, TimeSpan interval,
        long started, LoadTestHistogram sendLag, LoadTestHistogram latency, CancellationToken cancellationToken)
    {
        var frame = new byte[HeaderLength + Math.Max(run.Settings.PayloadBytes, 8)];
        frame[0] = 0x01;
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1), epoch);
        RandomNumberGenerator.Fill(frame.AsSpan(HeaderLength + 8)); // filler audio: any bytes will do
        long sent = 0;
        var stamp = (long at) => BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(HeaderLength), at);
        for (var k = 0; k < frames; k++)
        {
            var due = started + (long)(interval.TotalSeconds * k * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), (uint)(k + 1));
            try
            {
                var at = await speaker.SendAsync(frame, System.Net.WebSockets.WebSocketMessageType.Binary, 0, cancellationToken, stamp)
                    .ConfigureAwait(false);
                sendLag.Record(due, Math.Max(at, due));
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                run.Fleet.Error("audio:socket");
                break;
            }
            sent++;
            if (speaker.Office == 0)
            {
                run.Progress.Set(k + 1);
                if (k % 50 == 0)
                {
                    var s = latency.Summarize();
                    run.Progress.Detail = string.Create(CultureInfo.InvariantCulture, $"frame p50 {s.P50} ms, p99 {s.P99} ms");
                }
            }
        }
        return sent;
    }
}
