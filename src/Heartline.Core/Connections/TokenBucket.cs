namespace Heartline.Core.Connections;

/// <summary>
/// A single-threaded token bucket on the injected clock (the framework's limiter owns a timer per instance, which
/// costs too much at tens of thousands of connections). Only the connection's receive loop calls it.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    /// <summary>Takes one token, or returns false with the time until one is available.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * ratePerSecond);
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / ratePerSecond);
        return false;
    }
}
