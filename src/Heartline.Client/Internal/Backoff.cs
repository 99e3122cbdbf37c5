namespace Heartline.Client.Internal;

/// <summary>
/// Exponential backoff with full jitter (docs/protocol.md, "Reconnecting"): the n-th delay is uniform in
/// [0, min(max, initial × 2^n)). Full jitter spreads a crowd of clients that lost one server over the whole window.
/// </summary>
internal sealed class Backoff
{
    // 2^30 × any sane initial delay is far beyond any max; stopping there keeps the multiplication from overflowing.
    private const int MaxExponent = 30;
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly TimeSpan _resetAfter;
    private readonly Func<double> _random;

    /// <param name="random">Returns a value in [0, 1); tests pass a fixed one.</param>
    public Backoff(TimeSpan initial, TimeSpan max, TimeSpan resetAfter, Func<double>? random = null)
    {
        _initial = initial;
        _max = max;
        _resetAfter = resetAfter;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Delays handed out since the last reset.</summary>
    public int Attempt { get; private set; }

    /// <summary>The upper bound of the delay for <paramref name="attempt"/>: min(max, initial × 2^attempt).</summary>
    public TimeSpan Ceiling(int attempt)
    {
        var exponent = Math.Min(attempt, MaxExponent);
        var ticks = _initial.Ticks * (double)(1L << exponent);
        return ticks >= _max.Ticks ? _max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The next delay; each call moves one attempt further.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(Attempt);
        if (Attempt < MaxExponent) Attempt++;
        return TimeSpan.FromTicks((long)(ceiling.Ticks * _random()));
    }

    public void Reset() => Attempt = 0;

    /// <summary>A connection that stayed up for the reset period proves the server is healthy again: start over.</summary>
    public void OnConnectionEnded(TimeSpan uptime)
    {
        if (uptime >= _resetAfter) Reset();
    }
}
