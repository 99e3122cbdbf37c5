using System.Diagnostics.Metrics;

namespace Heartline.Voip;

/// <summary>The module's metrics (meter <c>Heartline.Voip</c>), and the last statistics the liveness check computed.</summary>
internal sealed class VoipMetrics : IDisposable
{
    public const string MeterName = "Heartline.Voip";

    private readonly Meter _meter;
    private readonly Counter<long> _admitted;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _answered;
    private readonly Counter<long> _ended;
    private readonly Counter<long> _busy;
    private readonly Counter<long> _livenessClosed;
    private VoipStats _last = VoipStats.Empty;

    public VoipMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _admitted = _meter.CreateCounter<long>("heartline.voip.guests.admitted", description: "Guests admitted");
        _calls = _meter.CreateCounter<long>("heartline.voip.calls.started", description: "Calls placed");
        _answered = _meter.CreateCounter<long>("heartline.voip.calls.answered", description: "Calls answered");
        _ended = _meter.CreateCounter<long>("heartline.voip.calls.ended", description: "Calls ended, by reason");
        _busy = _meter.CreateCounter<long>("heartline.voip.calls.busy", description: "Invites refused because the callee was busy");
        _livenessClosed = _meter.CreateCounter<long>("heartline.voip.liveness.closed", description: "Connections closed by the liveness check, by rule");
        _meter.CreateObservableGauge("heartline.voip.guests", () => new[]
        {
            new Measurement<long>(Last.GuestsTotal, new KeyValuePair<string, object?>("state", "total")),
            new Measurement<long>(Last.GuestsConnected, new KeyValuePair<string, object?>("state", "connected")),
            new Measurement<long>(Last.GuestsResponsive, new KeyValuePair<string, object?>("state", "responsive")),
            new Measurement<long>(Last.GuestsInCall, new KeyValuePair<string, object?>("state", "in_call")),
            new Measurement<long>(Last.GuestsReclaimable, new KeyValuePair<string, object?>("state", "reclaimable")),
        }, description: "Guests by state, as of the last liveness check");
    }

    /// <summary>The statistics of the last liveness check.</summary>
    public VoipStats Last
    {
        get => Volatile.Read(ref _last);
        set => Volatile.Write(ref _last, value);
    }

    public void Admitted() => _admitted.Add(1);

    public void CallStarted() => _calls.Add(1);

    public void CallAnswered() => _answered.Add(1);

    public void CallEnded(string reason) => _ended.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Busy() => _busy.Add(1);

    public void LivenessClosed(string rule) => _livenessClosed.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// The seed's "Connection Stats": guests admitted and not yet gone (total), connected, responsive (answered the last
/// ping; this node's connections), in a call, reclaimable (dropped, within the reclaim window); and calls by state.
/// </summary>
internal sealed record VoipStats(long GuestsTotal, long GuestsConnected, long GuestsResponsive, long GuestsInCall,
    long GuestsReclaimable, long CallsRinging, long CallsActive, long ConnectionsHere, long ComputedAt)
{
    public static readonly VoipStats Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
