namespace Heartline.Client.Internal;

/// <summary>
/// Spaces out a burst of commands once the server answered <c>rate_limited</c>. Renewing many subscriptions after a
/// reconnect can exceed the server's command burst; without pacing every further command would earn another
/// <c>rate_limited</c>, and 10 of those within 10 s close the socket with 4004 flood, which starts the cycle again.
/// </summary>
/// <remarks>
/// <c>retry_after_ms</c> is the time until the bucket next holds one token, not the refill period, so it can be tiny.
/// A paced command that is still refused reveals the period: the bucket gained one interval's worth since the
/// previous command and still lacked <c>retry_after</c>'s worth, so period ≈ interval + retry_after.
/// </remarks>
internal sealed class CommandPacer(TimeProvider time)
{
    /// <summary>Margin over the estimated period so network jitter doesn't bunch commands into another refusal.</summary>
    private const double Margin = 1.25;
    private readonly Lock _lock = new();
    private long _interval;
    private long _next;
    private int _generation;

    /// <summary>The current spacing; zero until the server first refused.</summary>
    public TimeSpan Interval
    {
        get
        {
            lock (_lock) return ToTimeSpan(_interval);
        }
    }

    /// <param name="retryAfter">The refusal's <c>retry_after_ms</c>.</param>
    /// <param name="pacedFor">What <see cref="WaitAsync"/> returned before the refused command.</param>
    public void SlowDown(TimeSpan retryAfter, TimeSpan pacedFor)
    {
        var estimate = (long)(Math.Max((retryAfter + pacedFor).TotalSeconds * Margin, 0.001) * time.TimestampFrequency);
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (estimate > _interval)
            {
                _interval = estimate;
                // Callers already waiting were spaced by the old interval: make them take a new slot.
                _generation++;
                _next = now + _interval;
                return;
            }
            // The bucket is empty right now: even the next caller waits a full interval.
            _next = Math.Max(_next, now + _interval);
        }
    }

    /// <summary>
    /// Completes when the caller may send: at once before any refusal, then one caller per interval. Returns the
    /// interval the caller was paced at (zero when it was not paced), for <see cref="SlowDown"/>.
    /// </summary>
    public async Task<TimeSpan> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            long now, due, interval;
            int generation;
            lock (_lock)
            {
                if (_interval == 0) return TimeSpan.Zero;
                now = time.GetTimestamp();
                due = Math.Max(now, _next);
                _next = due + _interval;
                interval = _interval;
                generation = _generation;
            }
            var delay = time.GetElapsedTime(now, due);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (generation == _generation) return ToTimeSpan(interval);
            }
        }
    }

    private TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromSeconds((double)ticks / time.TimestampFrequency);
}
