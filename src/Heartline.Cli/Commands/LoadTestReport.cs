using System.Globalization;
using Spectre.Console;

namespace Heartline.Cli.Commands;

/// <summary>Prints a run's result as tables: latencies, counts, server and driver usage, checks and errors.</summary>
internal static class LoadTestReport
{
    public static void Write(IAnsiConsole console, LoadTestResult r)
    {
        console.Write(new Rule($"heartline loadtest: {r.Scenario}{(r.Preset is null ? "" : $" (preset {r.Preset})")}") { Justification = Justify.Left });

        var latencies = new Table().AddColumn(new TableColumn("latency (ms)").NoWrap()).AddColumns("count", "mean", "p50", "p95", "p99", "max");
        foreach (var (name, summary) in new (string, LatencySummary?)[]
        {
            ("press → listener notified", r.NotifyMs), ("press → grant reply", r.GrantMs), ("press → floor_busy reply", r.BusyMs),
            ("audio frame added latency", r.FrameMs), ("driver send lag", r.SendLagMs), ("heartbeat round trip", r.HeartbeatMs),
            ("connect + subscribe", r.Connect?.LatencyMs),
        })
        {
            if (summary is not { } s) continue;
            latencies.AddRow(name, N(s.Count), F(s.Mean), F(s.P50), F(s.P95), F(s.P99), F(s.Max));
        }
        for (var i = 1; i < latencies.Columns.Count; i++) latencies.Columns[i].RightAligned();
        console.Write(latencies);

        var facts = new Table().AddColumn(new TableColumn("figure").NoWrap()).AddColumn(new TableColumn("value").RightAligned());
        facts.AddRow("offices × listeners", $"{r.Offices} × {r.ListenersPerOffice}");
        if (r.Connect is { } c) facts.AddRow("connections", $"{N(c.Connected)}/{N(c.Attempted)} in {F(c.Seconds)} s");
        if (r.Rounds is { } rounds) facts.AddRow("rounds", N(rounds));
        if (r.Expected is { } expected) facts.AddRow("delivered / expected", $"{N(r.Delivered ?? 0)}/{N(expected)}");
        if (r.GrantsPerRound is { } grants) facts.AddRow("grants per round", string.Join(" ", grants));
        if (r.FramesSent is { } sent) facts.AddRow("audio frames sent", N(sent));
        if (r.DeliveredPerSecond is { } rate) facts.AddRow("frames delivered per second", N((long)rate));
        if (r.FramesOutOfOrder is { } order) facts.AddRow("frames out of sequence", N(order));
        if (r.HeartbeatsSent is { } beats) facts.AddRow("heartbeats sent", N(beats));
        if (r.DurationSeconds is { } duration) facts.AddRow("measured seconds", F(duration));
        if (r.ServerUsage is { } server)
        {
            facts.AddRow("server pid", server.Pid.ToString(CultureInfo.InvariantCulture));
            facts.AddRow("server CPU (% of one core)", F(server.CpuPercent));
            facts.AddRow("server RSS baseline → loaded", $"{Mb(server.RssBytesBaseline)} → {Mb(server.RssBytesLoaded)} MB");
            if (server.RssBytesPerConnection is { } perConnection) facts.AddRow("server RSS per connection", $"{N(perConnection)} B");
            if (r.ManagedHeapBytesPerConnection is { } managed) facts.AddRow("of which managed heap", $"{N(managed)} B");
            facts.AddRow("server threads", N(server.Threads));
            facts.AddRow("server run-queue wait (% of time)", F(server.RunQueueWaitPercent));
        }
        if (r.ServerCpuUsPerDelivery is { } perDelivery) facts.AddRow("server CPU per delivery (µs)", F(perDelivery));
        if (r.Driver is { } d)
        {
            facts.AddRow("driver CPU (% of one core)", $"{F(d.CpuPercent)} of {d.ProcessorCount * 100}");
            facts.AddRow("driver run-queue wait (% of time)", F(d.RunQueueWaitPercent));
        }
        console.Write(facts);

        if (r.Checks.Count > 0 || r.Errors.Count > 0)
        {
            var checks = new Table().AddColumn("check").AddColumn("result").AddColumn("detail");
            foreach (var check in r.Checks)
                checks.AddRow(Markup.Escape(check.Name), check.Passed ? "[green]pass[/]" : "[red]FAIL[/]", Markup.Escape(check.Detail));
            foreach (var (kind, count) in r.Errors) checks.AddRow("error " + Markup.Escape(kind), "[red]" + N(count) + "[/]", "");
            console.Write(checks);
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
