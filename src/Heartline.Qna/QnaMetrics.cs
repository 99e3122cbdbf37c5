using System.Diagnostics.Metrics;
using Heartline.Core.Operations;

namespace Heartline.Qna;

/// <summary>The module's counters: exported as OpenTelemetry metrics (<c>heartline.qna.*</c>) and in the admin statistics.</summary>
internal sealed class QnaMetrics : IDisposable
{
    public const string MeterName = "Heartline.Qna";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _notified;
    private long _tiersRun, _notifiedTotal, _asked, _answers, _accepted;

    public QnaMetrics()
    {
        _notified = _meter.CreateCounter<long>("heartline.qna.notified", "{user}", "Users told of a question, by tier.");
        _meter.CreateObservableCounter("heartline.qna.questions", () => Interlocked.Read(ref _asked), "{question}", "Questions asked.");
        _meter.CreateObservableCounter("heartline.qna.answers", () => Interlocked.Read(ref _answers), "{answer}", "Answers given.");
    }

    /// <summary>How long choosing a tier's recipients took (the spatial query, distances, settings), ms.</summary>
    public LatencyWindow Lookup { get; } = new();

    /// <summary>From a question's creation to its tier-1 notifications handed to the channels, ms.</summary>
    public LatencyWindow Tier1Delay { get; } = new();

    public long TiersRun => Interlocked.Read(ref _tiersRun);
    public long NotifiedTotal => Interlocked.Read(ref _notifiedTotal);
    public long Asked => Interlocked.Read(ref _asked);
    public long Answers => Interlocked.Read(ref _answers);
    public long Accepted => Interlocked.Read(ref _accepted);

    public void Notified(int tier, int count)
    {
        Interlocked.Add(ref _notifiedTotal, count);
        _notified.Add(count, new KeyValuePair<string, object?>("tier", tier));
    }

    public void TierRun() => Interlocked.Increment(ref _tiersRun);
    public void QuestionAsked() => Interlocked.Increment(ref _asked);
    public void AnswerGiven() => Interlocked.Increment(ref _answers);
    public void AnswerAccepted() => Interlocked.Increment(ref _accepted);

    public void Dispose() => _meter.Dispose();
}
