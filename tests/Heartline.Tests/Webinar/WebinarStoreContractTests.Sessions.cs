using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

public abstract partial class WebinarStoreContractTests
{
    private static readonly Viewer Alice = Viewer.User("alice");
    private static readonly Viewer Bob = Viewer.User("bob");
    private static readonly Viewer Guest = Viewer.Guest("0123456789abcdef0123456789abcdef");

    [Fact]
    public async Task Webinar_CreateUpdateGetList_RoundTrips()
    {
        var webinar = await CreateWebinarAsync();
        var readAt = webinar.UpdatedAt;
        webinar.Title = "Updated";
        webinar.WebinarActualEndTime = Start.AddMinutes(50).ToUnixTimeMilliseconds();
        webinar.UpdatedAt = readAt + 1;

        Assert.True(await Store.UpdateWebinarAsync(webinar, readAt).WaitAsync(Timeout));
        // A second writer that read the same version is refused and changes nothing.
        var stale = (await Store.GetWebinarAsync(webinar.Id).WaitAsync(Timeout))!;
        stale.Title = "Lost update";
        stale.WebinarActualEndTime = null;
        stale.UpdatedAt = readAt + 2;
        Assert.False(await Store.UpdateWebinarAsync(stale, readAt).WaitAsync(Timeout));

        var read = (await Store.GetWebinarAsync(webinar.Id).WaitAsync(Timeout))!;
        Assert.Equal(("Updated", webinar.WebinarActualEndTime, 30, "agency-1"),
            (read.Title, read.WebinarActualEndTime, read.PostWindowMinutes, read.AgencyId));
        Assert.Equal(Start.AddMinutes(50).ToUnixTimeMilliseconds(), read.ContentTo);
        Assert.Contains(await Store.ListWebinarsAsync(10).WaitAsync(Timeout), w => w.Id == webinar.Id);
        Assert.Null(await Store.GetWebinarAsync(Guid.NewGuid().ToString()).WaitAsync(Timeout));
    }

    [Fact]
    public async Task TrackPingExit_PersistsHeartbeatsVisibleTimeAndTheExit()
    {
        var w = await CreateWebinarAsync();
        At(-1);
        Assert.Equal(SessionStatus.Created, (await TrackAsync(w, Alice, "session_1_abc")).Decision!.Status);
        At(1);
        await PingAsync(w, Alice, "session_1_abc", visible: false);
        At(3);
        await PingAsync(w, Alice, "session_1_abc");
        At(4.5);

        Assert.Equal(SessionStatus.Exited, (await ExitAsync(w, Alice, "session_1_abc")).Decision!.Status);

        var row = await SessionAsync(w, "session_1_abc");
        // Visible −1…1 (2 min, 1 of them content), hidden 1…3, visible 3…4.5.
        Assert.Equal((3.5 * 60, 2.5 * 60), (row.WatchedSecondsRaw, row.VisibleContentSeconds));
        Assert.Equal((Start.AddMinutes(4.5).ToUnixTimeMilliseconds(), 330, ClosedReasons.Exit),
            (row.ExitedAt, row.DurationSeconds, row.ClosedReason));
        Assert.Equal(("Mozilla/5.0", "https://example.test/", "127.0.0.1", "agency-1", "u:alice", "alice"),
            (row.UserAgent, row.Referrer, row.IpAddress, row.AgencyId, row.ViewerKey, row.UserId));
    }

    [Fact]
    public async Task SessionKey_OfAnotherViewer_IsRefusedAndTheRowUnchanged()
    {
        var w = await CreateWebinarAsync();
        await TrackAsync(w, Guest, "guest-key-1");
        At(2);

        Assert.Equal(SessionStatus.Taken, (await PingAsync(w, Alice, "guest-key-1")).Decision!.Status);
        Assert.Equal(SessionStatus.Taken, (await TrackAsync(w, Viewer.Guest("ffffffffffffffffffffffffffffffff"), "guest-key-1")).Decision!.Status);
        Assert.Equal(SessionStatus.Taken, (await ExitAsync(w, Alice, "guest-key-1")).Decision!.Status);

        var row = await SessionAsync(w, "guest-key-1");
        Assert.Equal(("g:" + Guest.GuestId, null, 0.0), (row.ViewerKey, row.ExitedAt, row.WatchedSecondsRaw));
    }

    [Fact]
    public async Task SessionKey_IsUniquePerWebinarNotGlobally()
    {
        var first = await CreateWebinarAsync();
        var second = await CreateWebinarAsync();

        await TrackAsync(first, Alice, "same-key-1");

        Assert.Equal(SessionStatus.Created, (await TrackAsync(second, Bob, "same-key-1")).Decision!.Status);
    }

    [Fact]
    public async Task Exit_Twice_IsIdempotent()
    {
        var w = await CreateWebinarAsync();
        await TrackAsync(w, Alice, "exit-twice");
        At(1);
        await ExitAsync(w, Alice, "exit-twice");
        var first = await SessionAsync(w, "exit-twice");
        At(2);

        Assert.Equal(SessionStatus.AlreadyClosed, (await ExitAsync(w, Alice, "exit-twice")).Decision!.Status);

        var second = await SessionAsync(w, "exit-twice");
        Assert.Equal((first.ExitedAt, first.UpdatedAt, first.WatchedSecondsRaw), (second.ExitedAt, second.UpdatedAt, second.WatchedSecondsRaw));
    }

    [Fact]
    public async Task Track_SameNewKeyConcurrently_CreatesOneSession()
    {
        var w = await CreateWebinarAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => TrackAsync(w, Alice, "racing-key"))));

        Assert.Single(results, r => r.Decision!.Status == SessionStatus.Created);
        Assert.All(results, r => Assert.Contains(r.Decision!.Status, new[] { SessionStatus.Created, SessionStatus.Resumed }));
    }

    [Fact]
    public async Task LivePresence_CountsViewersNotTabs_AndExitRemovesTheTab()
    {
        var w = await CreateWebinarAsync();
        At(1);
        await TrackAsync(w, Alice, "alice-tab-1");
        await TrackAsync(w, Alice, "alice-tab-2");
        await Tracker.PingPresenceAsync(w.Id, Bob, visible: true).WaitAsync(Timeout);

        Assert.Equal(2, (await StatsAsync(w))!.CurrentViewers);

        await ExitAsync(w, Alice, "alice-tab-1");
        await ExitAsync(w, Alice, "alice-tab-2");
        Assert.Equal(1, (await StatsAsync(w))!.CurrentViewers);
    }

    [Fact]
    public async Task PingPresence_UnknownWebinar_ReturnsNoWebinar()
    {
        var (webinar, collecting) = await Tracker.PingPresenceAsync(Guid.NewGuid().ToString(), Bob, true).WaitAsync(Timeout);

        Assert.Null(webinar);
        Assert.False(collecting);
    }

    [Fact]
    public async Task Statistics_FromTheStore_UnionPerViewerAndTotals()
    {
        var w = await CreateWebinarAsync(contentMinutes: 60);
        At(0);
        await TrackAsync(w, Alice, "alice-a");
        foreach (var minute in new[] { 5, 10, 15 })
        {
            At(minute);
            await PingAsync(w, Alice, "alice-a");
        }
        At(20);
        await PingAsync(w, Alice, "alice-a");
        await TrackAsync(w, Alice, "alice-b");
        await TrackAsync(w, Guest, "guest-a");
        At(24);
        await PingAsync(w, Alice, "alice-a");
        await PingAsync(w, Alice, "alice-b");
        await PingAsync(w, Guest, "guest-a");
        At(25);
        await ExitAsync(w, Guest, "guest-a");
        At(28);
        await PingAsync(w, Alice, "alice-b");
        await ExitAsync(w, Alice, "alice-a");

        var stats = (await StatsAsync(w))!;

        var alice = stats.Totals.Viewers.Single(v => v.ViewerKey == "u:alice");
        var guest = stats.Totals.Viewers.Single(v => v.ViewerKey == "g:" + Guest.GuestId);
        Assert.Equal((28 * 60.0, 2, (long?)null), (alice.WatchedSeconds, alice.Sessions, alice.LastLeaveAt));
        Assert.Equal((5 * 60.0, 1), (guest.WatchedSeconds, guest.Sessions));
        Assert.Equal((2, 3, 2), (stats.Totals.UniqueViewers, stats.Totals.Sessions, stats.Totals.PeakConcurrentViewers));
        Assert.Equal(1, stats.CurrentViewers);
    }
}
