using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

public abstract partial class WebinarStoreContractTests
{
    [Fact]
    public async Task Sweep_StaleSession_ClosedAtItsLastHeartbeatWithTimeout()
    {
        var w = await CreateWebinarAsync(contentMinutes: 120);
        At(0);
        await TrackAsync(w, Alice, "stale-one");
        await TrackAsync(w, Bob, "fresh-one");
        At(2);
        await PingAsync(w, Alice, "stale-one");
        At(4);
        await PingAsync(w, Bob, "fresh-one");
        At(8.5);
        await PingAsync(w, Bob, "fresh-one");

        var result = await Sweeper.SweepOnceAsync().WaitAsync(Timeout);

        // Stale timeout: 360 s. Alice's last heartbeat was 6.5 minutes ago; Bob's is fresh.
        Assert.Equal((1, 0), (result.Closed, result.Purged));
        var stale = await SessionAsync(w, "stale-one");
        Assert.Equal((Start.AddMinutes(2).ToUnixTimeMilliseconds(), ClosedReasons.Timeout, 120),
            (stale.ExitedAt, stale.ClosedReason, stale.DurationSeconds));
        Assert.Null((await SessionAsync(w, "fresh-one")).ExitedAt);
        Assert.Equal(1, (await StatsAsync(w))!.CurrentViewers);
    }

    [Fact]
    public async Task Sweep_TimedOutKey_LaterPingIsRefusedAsClosed()
    {
        var w = await CreateWebinarAsync(contentMinutes: 120);
        At(0);
        await TrackAsync(w, Alice, "frozen-tab");
        At(7);
        await Sweeper.SweepOnceAsync().WaitAsync(Timeout);

        Assert.Equal(SessionStatus.Closed, (await PingAsync(w, Alice, "frozen-tab")).Decision!.Status);
    }

    [Fact]
    public async Task Sweep_PastRetention_PurgesClosedSessionsOnly()
    {
        Options.RetentionDays = 1;
        var w = await CreateWebinarAsync(contentMinutes: 60);
        At(0);
        await TrackAsync(w, Alice, "old-closed");
        await TrackAsync(w, Bob, "old-open");
        At(1);
        await ExitAsync(w, Alice, "old-closed");
        await PingAsync(w, Bob, "old-open");
        At(2);
        await TrackAsync(w, Guest, "recent");
        At(2.5);
        await ExitAsync(w, Guest, "recent");

        At(24 * 60 + 1.75);
        var result = await Sweeper.SweepOnceAsync().WaitAsync(Timeout);

        // Bob's open session is first closed at 1 min (timeout) and purged in the same sweep; the guest's closed
        // 2.5 min after the start is inside the retention period by 45 seconds.
        Assert.Equal((1, 2), (result.Closed, result.Purged));
        Assert.Null(await Store.GetSessionAsync(w.Id, "old-closed").WaitAsync(Timeout));
        Assert.Null(await Store.GetSessionAsync(w.Id, "old-open").WaitAsync(Timeout));
        Assert.NotNull(await Store.GetSessionAsync(w.Id, "recent").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Sweep_NothingToDo_ReportsZeroes()
    {
        var result = await Sweeper.SweepOnceAsync().WaitAsync(Timeout);

        Assert.Equal((0, 0), (result.Closed, result.Purged));
    }
}
