using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Heartline.Cli.Commands;

/// <summary>How the fleet of connections came up.</summary>
internal sealed record ConnectSummary(int Attempted, int Connected, int Failed, double Seconds, LatencySummary LatencyMs);

/// <summary>One pass/fail check of a run, e.g. "exactly one grant per round".</summary>
internal sealed record LoadTestCheck(string Name, bool Passed, string Detail);

/// <summary>
/// The load generator's own CPU (above ~90 % of its cores it, not the server, may be the bottleneck) and the time its
/// threads waited for a CPU, as a percentage of the measured time (summed over threads; high on a shared machine).
/// </summary>
internal sealed record DriverUsage(double CpuPercent, int ProcessorCount, double RunQueueWaitPercent);

/// <summary>The outcome of a run; printed as a table, or as JSON with <c>--json</c> (snake_case, nulls omitted).</summary>
internal sealed class LoadTestResult
{
    public string Scenario { get; set; } = "";
    public string? Preset { get; set; }
    public string Server { get; set; } = "";
    public long StartedAt { get; set; }
    public int Offices { get; set; }
    public int ListenersPerOffice { get; set; }
    public int Connections { get; set; }
    public ConnectSummary? Connect { get; set; }

    /// <summary>Fan-out: press sent → each listener received <c>session_started</c>.</summary>
    public LatencySummary? NotifyMs { get; set; }
    /// <summary>Press sent → grant reply received (round trip, as a client sees it).</summary>
    public LatencySummary? GrantMs { get; set; }
    /// <summary>Storm: press sent → <c>floor_busy</c> reply received.</summary>
    public LatencySummary? BusyMs { get; set; }
    /// <summary>Relay: audio frame sent → received by a listener (the latency the relay adds).</summary>
    public LatencySummary? FrameMs { get; set; }
    /// <summary>Relay: how late the driver sent frames against their 20 ms schedule (driver saturation shows here).</summary>
    public LatencySummary? SendLagMs { get; set; }
    /// <summary>Idle: heartbeat round trips.</summary>
    public LatencySummary? HeartbeatMs { get; set; }

    public int? Rounds { get; set; }
    public long? Expected { get; set; }
    public long? Delivered { get; set; }
    public int[]? GrantsPerRound { get; set; }
    public double? DurationSeconds { get; set; }
    public long? FramesSent { get; set; }
    public long? FramesDelivered { get; set; }
    public double? DeliveredPerSecond { get; set; }
    public long? FramesOutOfOrder { get; set; }
    public long? HeartbeatsSent { get; set; }
    /// <summary>Server CPU time per delivered message (fan-out notification or audio frame), in microseconds: unlike latency, this does not depend on how busy the machine's other tenants are.</summary>
    public double? ServerCpuUsPerDelivery { get; set; }
    /// <summary>Idle: growth of the server's managed heap (GC.GetTotalMemory, live and not yet collected) per connection; the rest of RSS growth is native (sockets, Kestrel's buffers, SQLite, the GC's own reserve).</summary>
    public long? ManagedHeapBytesPerConnection { get; set; }

    public SortedDictionary<string, long> Errors { get; set; } = new(StringComparer.Ordinal);
    public ServerUsage? ServerUsage { get; set; }
    public DriverUsage? Driver { get; set; }
    public List<LoadTestCheck> Checks { get; set; } = [];
    public bool Passed => Errors.Count == 0 && Checks.TrueForAll(c => c.Passed);

    public void AddErrors(ConcurrentDictionary<string, long> errors)
    {
        foreach (var (key, count) in errors) Errors[key] = Errors.GetValueOrDefault(key) + count;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadTestResult))]
internal sealed partial class LoadTestJsonContext : JsonSerializerContext;
