using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Heartline.Core.Operations;

/// <summary>
/// The server's counters: published as System.Diagnostics.Metrics instruments on the <c>Heartline</c> meter (and so
/// through OpenTelemetry when configured) and readable as a snapshot for <c>GET /api/admin/stats</c>.
/// Hot-path methods are a single interlocked add.
/// </summary>
internal sealed class HeartlineMetrics
{
    public const string MeterName = "Heartline";

    private long _connectionsOpen;
    private long _connectionsTotal;
    private long _connectionsDirect;
    private long _framesIn;
    private long _framesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _framesRejected;
    private long _queueOverflows;
    private long _mediaDropped;
    private long _rateLimited;
    private long _sweeps;
    private long _swept;
    private long _usersOnline;
    private readonly Histogram<double> _eventLogWriteMs;
    private readonly LatencyWindow _eventLogLatency = new();

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The meter factory owns the meters it creates and disposes them with the container.")]
    public HeartlineMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("heartline.connections", () => Volatile.Read(ref _connectionsOpen), description: "Open WebSocket connections.");
        meter.CreateObservableCounter("heartline.connections.total", () => Volatile.Read(ref _connectionsTotal), description: "Connections accepted since start.");
        meter.CreateObservableCounter("heartline.connections.direct", () => Volatile.Read(ref _connectionsDirect), description: "Connections upgraded ahead of the HTTP pipeline (Realtime:DirectUpgrade).");
        meter.CreateObservableUpDownCounter("heartline.users.online", () => Volatile.Read(ref _usersOnline), description: "Users with at least one connection.");
        meter.CreateObservableCounter("heartline.frames.in", () => Volatile.Read(ref _framesIn), description: "Inbound WebSocket messages.");
        meter.CreateObservableCounter("heartline.frames.out", () => Volatile.Read(ref _framesOut), description: "Outbound WebSocket messages.");
        meter.CreateObservableCounter("heartline.bytes.in", () => Volatile.Read(ref _bytesIn), unit: "By");
        meter.CreateObservableCounter("heartline.bytes.out", () => Volatile.Read(ref _bytesOut), unit: "By");
        meter.CreateObservableCounter("heartline.frames.rejected", () => Volatile.Read(ref _framesRejected), description: "Malformed, oversized or refused inbound messages.");
        meter.CreateObservableCounter("heartline.queue.overflows", () => Volatile.Read(ref _queueOverflows), description: "Connections closed as slow consumers.");
        meter.CreateObservableCounter("heartline.media.dropped", () => Volatile.Read(ref _mediaDropped), description: "Media frames dropped for late listeners.");
        meter.CreateObservableCounter("heartline.commands.rate_limited", () => Volatile.Read(ref _rateLimited));
        meter.CreateObservableCounter("heartline.sweeps", () => Volatile.Read(ref _sweeps), description: "Sweeper runs.");
        meter.CreateObservableCounter("heartline.sweeps.items", () => Volatile.Read(ref _swept), description: "Items removed or closed by sweepers.");
        _eventLogWriteMs = meter.CreateHistogram<double>("heartline.eventlog.write_ms", unit: "ms", description: "Event-log batch commit time.");
    }

    public void ConnectionOpened() { Interlocked.Increment(ref _connectionsOpen); Interlocked.Increment(ref _connectionsTotal); }
    public void ConnectionUpgradedDirectly() => Interlocked.Increment(ref _connectionsDirect);
    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsOpen);
    public void UserOnline() => Interlocked.Increment(ref _usersOnline);
    public void UserOffline() => Interlocked.Decrement(ref _usersOnline);
    public void FrameIn(int bytes) { Interlocked.Increment(ref _framesIn); Interlocked.Add(ref _bytesIn, bytes); }
    public void FrameOut(int bytes) { Interlocked.Increment(ref _framesOut); Interlocked.Add(ref _bytesOut, bytes); }
    public void FrameRejected() => Interlocked.Increment(ref _framesRejected);
    public void QueueOverflow() => Interlocked.Increment(ref _queueOverflows);
    public void MediaDropped() => Interlocked.Increment(ref _mediaDropped);
    public void RateLimited() => Interlocked.Increment(ref _rateLimited);
    public void Swept(int items) { Interlocked.Increment(ref _sweeps); Interlocked.Add(ref _swept, items); }

    public void EventLogWrite(double milliseconds)
    {
        _eventLogWriteMs.Record(milliseconds);
        _eventLogLatency.Record(milliseconds);
    }

    public MetricsSnapshot Snapshot() => new(
        Volatile.Read(ref _connectionsOpen), Volatile.Read(ref _connectionsTotal), Volatile.Read(ref _connectionsDirect), Volatile.Read(ref _usersOnline),
        Volatile.Read(ref _framesIn), Volatile.Read(ref _framesOut), Volatile.Read(ref _bytesIn),
        Volatile.Read(ref _bytesOut), Volatile.Read(ref _framesRejected), Volatile.Read(ref _queueOverflows),
        Volatile.Read(ref _mediaDropped), Volatile.Read(ref _rateLimited), Volatile.Read(ref _sweeps),
        Volatile.Read(ref _swept), _eventLogLatency.Percentile(0.5), _eventLogLatency.Percentile(0.99));
}

/// <summary>Counters at one instant; event-log latencies are over the last 1,024 batches.</summary>
internal sealed record MetricsSnapshot(
    long Connections, long ConnectionsTotal, long ConnectionsDirect, long UsersOnline, long FramesIn, long FramesOut, long BytesIn,
    long BytesOut, long FramesRejected, long QueueOverflows, long MediaDropped, long RateLimited, long Sweeps,
    long SweptItems, double EventLogWriteP50Ms, double EventLogWriteP99Ms);
