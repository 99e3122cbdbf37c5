using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Connections;

/// <summary>
/// New WebSocket connections per client address (<c>Realtime:ConnectRatePerIp</c> per
/// <c>Realtime:ConnectRateWindowSeconds</c>): one limiter for both ways a socket opens, the direct upgrade and
/// <c>/ws</c> through the HTTP pipeline, so a client gets no second allowance from either.
/// </summary>
internal sealed class ConnectRateLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ConnectRateLimiter(IOptions<RealtimeOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(ip => RateLimitPartition.GetFixedWindowLimiter(ip,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.ConnectRatePerIp,
                Window = TimeSpan.FromSeconds(o.ConnectRateWindowSeconds),
                QueueLimit = 0,
            }), StringComparer.Ordinal);
    }

    /// <summary>Takes a connection's permit for <paramref name="ip"/>; false, with when to retry, beyond the rate.</summary>
    public bool TryAcquire(string ip, out TimeSpan? retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(ip);
        retryAfter = !lease.IsAcquired && lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
        return lease.IsAcquired;
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
