using Microsoft.Extensions.Time.Testing;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Core;

public sealed class TokenBucketTests
{
    [Fact]
    public void TryTake_BeyondBurst_RefusesWithTimeUntilNextToken()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 3, time);

        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out var retryAfter));
        Assert.Equal(100, retryAfter.TotalMilliseconds, 1);
    }

    [Fact]
    public void TryTake_AfterWaiting_RefillsAtTheRateUpToTheBurst()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 3, time);
        for (var i = 0; i < 3; i++) bucket.TryTake(out _);

        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out _));

        time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 3; i++) Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out _));
    }
}
