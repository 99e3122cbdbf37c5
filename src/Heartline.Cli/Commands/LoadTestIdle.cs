using System.Diagnostics;
using System.Globalization;

namespace Heartline.Cli.Commands;

/// <summary>
/// Scenario (c), idle connections: N × M members connect, subscribe and then only send <c>ptt.heartbeat</c> every
/// heartbeat interval (spread evenly, so the server sees a steady trickle) while the server also pings each socket.
/// Reports the server's resident memory per connection and its CPU for keeping them alive.
/// </summary>
internal static class LoadTestIdle
{
    /// <summary>Lets connection setup (handshake buffers, first GCs) settle before the hold is measured.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(LoadTestRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var heapBefore = await run.ManagedHeapBytesAsync(cancellationToken).ConfigureAwait(false);
        await run.ConnectAsync(withSpeakers: false, "pickup_driver", _ => { }, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);

        var clients = run.Fleet.All();
        var heartbeat = new LoadTestHistogram();
        var inFlight = new List<Task>();
        long sent = 0;
        run.MeasureStart();
        run.Progress.Stage("hold", (long)settings.Duration.TotalMilliseconds);
        var started = Stopwatch.GetTimestamp();
        var next = 0L;
        // Client i beats at (i / count) × interval, then every interval: one loop instead of a timer per socket.
        while (Stopwatch.GetElapsedTime(started) < settings.Duration)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var due = clients.Length == 0 ? 0 : (long)(elapsed / settings.Heartbeat * clients.Length);
            for (; next < due; next++)
            {
                var client = clients[next % clients.Length];
                if (!client.IsOpen) continue;
                sent++;
                inFlight.Add(BeatAsync(run, client, heartbeat, cancellationToken));
            }
            inFlight.RemoveAll(t => t.IsCompleted);
            run.Progress.Set((long)elapsed.TotalMilliseconds);
            run.Progress.Detail = string.Create(CultureInfo.InvariantCulture, $"{clients.Length} connections, {sent} heartbeats");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        run.MeasureEnd();
        run.SampleLoaded();
        var heapAfter = await run.ManagedHeapBytesAsync(cancellationToken).ConfigureAwait(false);

        var closed = clients.Count(c => !c.IsOpen);
        if (closed > 0) run.Fleet.Errors["closed_during_hold"] = closed;
        var result = run.Result;
        result.DurationSeconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 2);
        result.HeartbeatsSent = sent;
        result.HeartbeatMs = heartbeat.Summarize();
        if (heapBefore is { } before && heapAfter is { } after && clients.Length > 0)
            result.ManagedHeapBytesPerConnection = (after - before) / clients.Length;
        result.Checks.Add(new LoadTestCheck("every connection stayed open", closed == 0 && clients.Length > 0,
            $"{clients.Length - closed}/{clients.Length}"));
    }

    private static async Task BeatAsync(LoadTestRun run, LoadTestClient client, LoadTestHistogram heartbeat, CancellationToken cancellationToken)
    {
        using var deadline = run.Deadline(cancellationToken);
        try
        {
            var reply = await client.RequestAsync("ptt.heartbeat", "{}", deadline.Token).ConfigureAwait(false);
            if (reply.Ok) heartbeat.Record(reply.SentAt, reply.ReceivedAt);
            else run.Fleet.Error("heartbeat:" + reply.ErrorCode);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            run.Fleet.Error("heartbeat:" + (ex is OperationCanceledException ? "timeout" : "socket"));
        }
    }
}
