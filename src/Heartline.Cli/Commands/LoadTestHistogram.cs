using System.Diagnostics;

namespace Heartline.Cli.Commands;

/// <summary>Latency percentiles of one measurement, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double Mean, double P50, double P95, double P99, double Max);

/// <summary>
/// A lock-free latency histogram: any number of receive threads record at once. Buckets are 1 µs wide up to 10 ms,
/// 100 µs up to 1 s and 10 ms up to 60 s, so percentiles are exact where the targets are (milliseconds) and memory
/// stays fixed (~100 KB) however many samples a run takes.
/// </summary>
internal sealed class LoadTestHistogram
{
    private const long FineLimitUs = 10_000;
    private const long MediumLimitUs = 1_000_000;
    private const long CoarseLimitUs = 60_000_000;
    private const int FineBuckets = (int)FineLimitUs;
    private const int MediumBuckets = (int)((MediumLimitUs - FineLimitUs) / 100);
    private const int CoarseBuckets = (int)((CoarseLimitUs - MediumLimitUs) / 10_000);
    private readonly long[] _counts = new long[FineBuckets + MediumBuckets + CoarseBuckets + 1];
    private long _count;
    private long _sumNs;
    private long _maxNs;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records the time from <paramref name="start"/> to <paramref name="end"/> (Stopwatch timestamps).</summary>
    public void Record(long start, long end) => RecordNanoseconds((long)Stopwatch.GetElapsedTime(start, end).TotalNanoseconds);

    public void RecordNanoseconds(long ns)
    {
        if (ns < 0) ns = 0;
        Interlocked.Increment(ref _counts[Index(ns / 1000)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumNs, ns);
        var max = Interlocked.Read(ref _maxNs);
        while (ns > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxNs, ns, max);
            if (seen == max) break;
            max = seen;
        }
    }

    public LatencySummary Summarize()
    {
        var count = Count;
        if (count == 0) return new LatencySummary(0, 0, 0, 0, 0, 0);
        var maxMs = Interlocked.Read(ref _maxNs) / 1e6;
        return new LatencySummary(count, Round(Interlocked.Read(ref _sumNs) / 1e6 / count),
            Round(Math.Min(Percentile(count, 0.50), maxMs)), Round(Math.Min(Percentile(count, 0.95), maxMs)),
            Round(Math.Min(Percentile(count, 0.99), maxMs)), Round(maxMs));
    }

    private double Percentile(long count, double quantile)
    {
        var rank = (long)Math.Ceiling(quantile * count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return UpperBoundUs(i) / 1000.0;
        }
        return UpperBoundUs(_counts.Length - 1) / 1000.0;
    }

    private static int Index(long us) => us switch
    {
        < FineLimitUs => (int)us,
        < MediumLimitUs => FineBuckets + (int)((us - FineLimitUs) / 100),
        < CoarseLimitUs => FineBuckets + MediumBuckets + (int)((us - MediumLimitUs) / 10_000),
        _ => FineBuckets + MediumBuckets + CoarseBuckets,
    };

    /// <summary>The largest value a bucket holds: percentiles err on the slow side.</summary>
    private static long UpperBoundUs(int index) => index switch
    {
        < FineBuckets => index + 1,
        < FineBuckets + MediumBuckets => FineLimitUs + (index - FineBuckets + 1) * 100L,
        < FineBuckets + MediumBuckets + CoarseBuckets => MediumLimitUs + (index - FineBuckets - MediumBuckets + 1) * 10_000L,
        _ => CoarseLimitUs,
    };

    private static double Round(double ms) => Math.Round(ms, 3);
}
