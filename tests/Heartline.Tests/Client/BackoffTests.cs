using Heartline.Client.Internal;

namespace Heartline.Tests.Client;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);

    [Fact]
    public void Ceiling_EachAttempt_DoublesFromInitialUntilMax()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter);

        var ceilings = Enumerable.Range(0, 8).Select(a => backoff.Ceiling(a).TotalMilliseconds).ToArray();

        Assert.Equal([500, 1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000], ceilings);
    }

    [Fact]
    public void Ceiling_HugeAttempt_StaysAtMaxWithoutOverflow()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter);

        Assert.Equal(Max, backoff.Ceiling(10_000));
        Assert.Equal(Max, backoff.Ceiling(int.MaxValue));
    }

    [Fact]
    public void Next_RandomAtBounds_ReturnsZeroAndJustBelowCeiling()
    {
        var low = new Backoff(Initial, Max, ResetAfter, () => 0);
        var high = new Backoff(Initial, Max, ResetAfter, () => 0.999999);

        Assert.Equal(TimeSpan.Zero, low.Next());
        var delay = high.Next();
        Assert.True(delay < Initial && delay > Initial * 0.99, delay.ToString());
    }

    [Fact]
    public void Next_FullJitter_ScalesTheCurrentCeilingAndGrowsPerAttempt()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter, () => 0.5);

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000], delays);
        Assert.Equal(7, backoff.Attempt);
    }

    [Fact]
    public void Next_SystemRandom_AlwaysWithinZeroAndCeiling()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter);

        for (var i = 0; i < 1_000; i++)
        {
            var ceiling = backoff.Ceiling(backoff.Attempt);
            var delay = backoff.Next();
            Assert.InRange(delay, TimeSpan.Zero, ceiling);
            if (i % 20 == 0) backoff.Reset();
        }
    }

    [Fact]
    public void Next_ManyAttempts_NeverExceedsMax()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter, () => 0.999999);

        for (var i = 0; i < 100; i++) Assert.True(backoff.Next() < Max);
    }

    [Fact]
    public void OnConnectionEnded_UptimeAtLeastResetPeriod_StartsOver()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter, () => 0.5);
        for (var i = 0; i < 5; i++) backoff.Next();

        backoff.OnConnectionEnded(ResetAfter);

        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.Next());
    }

    [Fact]
    public void OnConnectionEnded_ShortUptime_KeepsGrowing()
    {
        var backoff = new Backoff(Initial, Max, ResetAfter, () => 0.5);
        for (var i = 0; i < 5; i++) backoff.Next();

        backoff.OnConnectionEnded(ResetAfter - TimeSpan.FromMilliseconds(1));

        Assert.Equal(5, backoff.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(8), backoff.Next());
    }
}
