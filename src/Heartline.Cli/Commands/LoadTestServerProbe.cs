using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Heartline.Cli.Commands;

/// <summary>A reading of the server process: CPU time used so far and resident memory.</summary>
internal readonly record struct ProcessSample(long Timestamp, double CpuSeconds, long RssBytes, int Threads, double RunQueueWaitSeconds);

/// <summary>
/// Reads a local server's CPU and memory from <c>/proc/&lt;pid&gt;</c> (Linux). The pid is given, or found from the
/// process that listens on the server's port.
/// </summary>
internal sealed class LoadTestServerProbe
{
    private static readonly double TicksPerSecond = 100; // USER_HZ is 100 on every Linux the CLI targets

    private LoadTestServerProbe(int pid) => Pid = pid;

    public int Pid { get; }

    /// <summary>A probe for <paramref name="pid"/>, else for the local listener of <paramref name="server"/>; null when neither applies.</summary>
    public static LoadTestServerProbe? Create(int? pid, Uri server)
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (pid is { } given) return Directory.Exists($"/proc/{given}") ? new LoadTestServerProbe(given) : null;
        if (!server.IsLoopback && !IPAddress.TryParse(server.Host, out _)) return null;
        var port = server.Port;
        var inodes = ListeningInodes(port);
        if (inodes.Count == 0) return null;
        var found = FindOwner(inodes);
        return found is { } p ? new LoadTestServerProbe(p) : null;
    }

    public ProcessSample? Sample()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            var threads = int.Parse(fields[17], CultureInfo.InvariantCulture);
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                break;
            }
            return new ProcessSample(Stopwatch.GetTimestamp(), (utime + stime) / TicksPerSecond, rss, threads, RunQueueWaitSeconds(Pid));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Seconds the process's threads spent runnable but waiting for a CPU (<c>/proc/&lt;pid&gt;/task/*/schedstat</c>, second
    /// field). On a shared machine this shows when neighbours, not the server, set the latency.
    /// </summary>
    public static double RunQueueWaitSeconds(int pid)
    {
        long waitNs = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                    if (fields.Length > 1 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var ns)) waitNs += ns;
                }
                catch (IOException)
                {
                    // The thread ended between listing and reading.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return waitNs / 1e9;
    }

    /// <summary>Socket inodes of listeners on <paramref name="port"/> (IPv4 and IPv6).</summary>
    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is "ADDR:PORT", st 0A is LISTEN, inode is the 10th field.
                if (parts.Length > 9 && parts[1].EndsWith(":" + hexPort, StringComparison.Ordinal) && parts[3] == "0A")
                    inodes.Add(parts[9]);
            }
        }
        return inodes;
    }

    private static int? FindOwner(HashSet<string> inodes)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFiles(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                        return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}

/// <summary>
/// The server's figures for a run: CPU over the measured phase, resident memory before the fleet connected
/// (baseline), once it was connected (loaded) and at the end; memory per connection is loaded − baseline over the
/// connections.
/// </summary>
internal sealed record ServerUsage(int Pid, double CpuPercent, double CpuSeconds, double MeasuredSeconds, long RssBytesBaseline,
    long RssBytesLoaded, long RssBytesEnd, int Threads, long? RssBytesPerConnection, double? CpuPercentPerThousandConnections,
    double RunQueueWaitPercent)
{
    public static ServerUsage? From(LoadTestServerProbe? probe, ProcessSample? baseline, ProcessSample? loaded, ProcessSample? start,
        ProcessSample? end, int connections)
    {
        if (probe is null || baseline is not { } b || loaded is not { } l || start is not { } s || end is not { } e) return null;
        var seconds = Stopwatch.GetElapsedTime(s.Timestamp, e.Timestamp).TotalSeconds;
        var cpu = e.CpuSeconds - s.CpuSeconds;
        var percent = seconds > 0 ? cpu / seconds * 100 : 0;
        return new ServerUsage(probe.Pid, Math.Round(percent, 1), Math.Round(cpu, 2), Math.Round(seconds, 2), b.RssBytes, l.RssBytes,
            e.RssBytes, e.Threads, connections > 0 ? (l.RssBytes - b.RssBytes) / connections : null,
            connections > 0 ? Math.Round(percent / connections * 1000, 3) : null,
            // Threads that exit take their wait with them: the figure is a lower bound, never below zero.
            seconds > 0 ? Math.Round(Math.Max(0, e.RunQueueWaitSeconds - s.RunQueueWaitSeconds) / seconds * 100, 1) : 0);
    }
}
