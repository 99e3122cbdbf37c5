namespace Heartline.Core.Operations;

/// <summary>
/// The last N samples of a latency, for percentiles in a stats snapshot (the core's and a module's, see
/// <see cref="IModuleStats"/>). Recording takes a short lock.
/// </summary>
public sealed class LatencyWindow(int size = 1024)
{
    private readonly double[] _samples = new double[size];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    /// <summary>Adds a sample, replacing the oldest once the window is full.</summary>
    public void Record(double value)
    {
        lock (_lock)
        {
            _samples[_next] = value;
            _next = (_next + 1) % _samples.Length;
            if (_count < _samples.Length) _count++;
        }
    }

    /// <summary>The nearest-rank percentile (0 &lt; p ≤ 1), or 0 without samples.</summary>
    public double Percentile(double p)
    {
        double[] copy;
        lock (_lock)
        {
            if (_count == 0) return 0;
            copy = _samples[.._count];
        }
        Array.Sort(copy);
        var rank = (int)Math.Ceiling(p * copy.Length) - 1;
        return copy[Math.Clamp(rank, 0, copy.Length - 1)];
    }
}
