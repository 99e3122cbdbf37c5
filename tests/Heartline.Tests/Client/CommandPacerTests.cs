using Microsoft.Extensions.Time.Testing;
using Heartline.Client.Internal;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Client;

public sealed class CommandPacerTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitAsync_BeforeAnyRefusal_CompletesAtOnceUnpaced()
    {
        var pacer = new CommandPacer(new FakeTimeProvider(TestClock.Start));

        var first = pacer.WaitAsync(CancellationToken.None);
        var second = pacer.WaitAsync(CancellationToken.None);

        Assert.True(first.IsCompleted && second.IsCompleted);
        Assert.Equal(TimeSpan.Zero, await first);
    }

    [Fact]
    public async Task WaitAsync_AfterSlowDown_LetsOneCallerThroughPerIntervalStartingOneIntervalLater()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var pacer = new CommandPacer(time);

        pacer.SlowDown(20 * Ms, TimeSpan.Zero);
        var first = pacer.WaitAsync(CancellationToken.None);
        var second = pacer.WaitAsync(CancellationToken.None);

        Assert.Equal(25 * Ms, pacer.Interval);
        time.Advance(24 * Ms);
        Assert.False(first.IsCompleted);
        time.Advance(1 * Ms);
        Assert.Equal(25 * Ms, await first.WaitAsync(Timeout));
        Assert.False(second.IsCompleted);
        time.Advance(25 * Ms);
        Assert.Equal(25 * Ms, await second.WaitAsync(Timeout));
    }

    [Fact]
    public void SlowDown_UnpacedShorterRetryAfter_KeepsTheLongerInterval()
    {
        var pacer = new CommandPacer(new FakeTimeProvider(TestClock.Start));

        pacer.SlowDown(40 * Ms, TimeSpan.Zero);
        pacer.SlowDown(10 * Ms, TimeSpan.Zero);

        Assert.Equal(50 * Ms, pacer.Interval);
    }

    [Fact]
    public async Task SlowDown_PacedCommandRefused_EstimatesThePeriodAndReschedulesWaiters()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var pacer = new CommandPacer(time);
        pacer.SlowDown(2 * Ms, TimeSpan.Zero);
        var waiting = pacer.WaitAsync(CancellationToken.None);

        // Paced at 2.5 ms and still 17.5 ms short of a token: the refill period is about 20 ms.
        pacer.SlowDown(TimeSpan.FromMilliseconds(17.5), TimeSpan.FromMilliseconds(2.5));
        time.Advance(3 * Ms);

        Assert.Equal(25 * Ms, pacer.Interval);
        Assert.False(waiting.IsCompleted);
        time.Advance(22 * Ms);
        // The waiter reschedules on a pool thread: on a busy machine it may read the clock before that step and set its
        // new delay after it. Step on (bounded) until it is done; it still reports the new interval.
        for (var step = 0; step < 200 && !waiting.IsCompleted; step++)
        {
            await Task.WhenAny(waiting, Task.Delay(10));
            if (!waiting.IsCompleted) time.Advance(Ms);
        }
        // Rescheduled under the new interval, so it reports 25 ms, not the 2.5 ms it first queued with.
        Assert.Equal(25 * Ms, await waiting.WaitAsync(Timeout));
    }
}
