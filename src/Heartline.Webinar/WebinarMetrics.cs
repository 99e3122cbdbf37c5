using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Heartline.Core.Operations;

namespace Heartline.Webinar;

/// <summary>Webinar instruments on the <c>Heartline</c> meter: session creation, heartbeats, sweeps, statistics time.</summary>
internal sealed class WebinarMetrics
{
    private readonly Counter<long> _sessionsCreated;
    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _heartbeatsRefused;
    private readonly Counter<long> _sweepClosed;
    private readonly Counter<long> _sweepPurged;
    private readonly Histogram<double> _sweepMs;
    private readonly Histogram<double> _statsMs;

    /// <summary>The module's meter, exported with the core's (<c>AddMeter</c>).</summary>
    public const string MeterName = "Heartline.Webinar";

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The meter factory owns the meters it creates and disposes them with the container.")]
    public WebinarMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sessionsCreated = meter.CreateCounter<long>("heartline.webinar.sessions.created", description: "Watch sessions opened.");
        _heartbeats = meter.CreateCounter<long>("heartline.webinar.heartbeats", description: "Pings and tracks recorded.");
        _heartbeatsRefused = meter.CreateCounter<long>("heartline.webinar.heartbeats.refused",
            description: "Pings, tracks and exits refused (taken or closed keys, closed webinars).");
        _sweepClosed = meter.CreateCounter<long>("heartline.webinar.sweep.closed", description: "Stale sessions closed by the sweeper.");
        _sweepPurged = meter.CreateCounter<long>("heartline.webinar.sweep.purged", description: "Sessions deleted past retention.");
        _sweepMs = meter.CreateHistogram<double>("heartline.webinar.sweep.duration", unit: "ms", description: "Webinar sweep run time.");
        _statsMs = meter.CreateHistogram<double>("heartline.webinar.stats.duration", unit: "ms", description: "Statistics query time.");
    }

    public void SessionCreated() => _sessionsCreated.Add(1);

    public void Heartbeat() => _heartbeats.Add(1);

    public void Refused() => _heartbeatsRefused.Add(1);

    public void Swept(int closed, int purged, double milliseconds)
    {
        _sweepClosed.Add(closed);
        _sweepPurged.Add(purged);
        _sweepMs.Record(milliseconds);
    }

    public void StatsComputed(double milliseconds) => _statsMs.Record(milliseconds);
}
