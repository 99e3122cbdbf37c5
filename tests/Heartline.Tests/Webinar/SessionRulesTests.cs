using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

/// <summary>Accumulation, the Δt cap, visibility, staleness and ownership of a session key.</summary>
public sealed class SessionRulesTests
{
    private const long Start = 1_000_000_000_000;
    private static readonly WatchPolicy Policy = new(TimeSpan.FromSeconds(360), TimeSpan.FromSeconds(360));
    private static readonly ClientDetails Client = new("ua", null, "127.0.0.1");
    private static readonly Viewer Alice = Viewer.User("alice");
    private static readonly Viewer Guest = Viewer.Guest("0123456789abcdef0123456789abcdef");

    private static WebinarRecord Webinar(int contentMinutes = 60, int postWindowMinutes = 30) => new()
    {
        Id = "w1",
        Title = "t",
        WebinarStartTime = Start,
        WebinarScheduledEndTime = Start + contentMinutes * 60_000L,
        PostWindowMinutes = postWindowMinutes,
    };

    private static long At(double seconds) => Start + (long)(seconds * 1000);

    private static SessionRow Open(Viewer viewer, double atSeconds, bool visible = true) =>
        SessionRules.Track(Webinar(), null, viewer, "key-00001", visible, Client, Policy, At(atSeconds)).Insert!;

    [Fact]
    public void Credit_VisibleSinceLastHeartbeat_AddsTheElapsedTime()
    {
        var (raw, inContent) = SessionRules.Credit(At(0), At(120), wasVisible: true, Policy.DeltaCap, Start, At(3600));

        Assert.Equal((120.0, 120.0), (raw, inContent));
    }

    [Fact]
    public void Credit_GapLongerThanTheCap_AddsOnlyTheCap()
    {
        var (raw, _) = SessionRules.Credit(At(0), At(20 * 60), wasVisible: true, Policy.DeltaCap, Start, At(3600));

        Assert.Equal(360.0, raw);
    }

    [Fact]
    public void Credit_HiddenSinceLastHeartbeat_AddsNothing()
    {
        Assert.Equal((0.0, 0.0), SessionRules.Credit(At(0), At(120), wasVisible: false, Policy.DeltaCap, Start, At(3600)));
    }

    [Fact]
    public void Credit_ClockBehindLastHeartbeat_AddsNothing()
    {
        Assert.Equal((0.0, 0.0), SessionRules.Credit(At(120), At(60), wasVisible: true, Policy.DeltaCap, Start, At(3600)));
    }

    [Fact]
    public void Credit_StraddlingTheContentStart_CountsOnlyTheContentPartAsContent()
    {
        var (raw, inContent) = SessionRules.Credit(At(-100), At(20), wasVisible: true, Policy.DeltaCap, Start, At(3600));

        Assert.Equal((120.0, 20.0), (raw, inContent));
    }

    [Fact]
    public void Ping_AfterTrack_AccumulatesWhileVisibleAndMovesTheHeartbeat()
    {
        var row = Open(Alice, 0);

        var decision = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, visible: true, Client, Policy, At(120));

        Assert.Equal(SessionStatus.Updated, decision.Status);
        Assert.Equal(120.0, decision.Update!.WatchedSecondsRaw);
        Assert.Equal(At(120), decision.Update.LastHeartbeatAt);
        Assert.Equal(PresenceChange.Upsert, decision.Presence);
    }

    [Fact]
    public void Ping_StateReportedHoldsUntilTheNextPing_HiddenStretchIsNotCounted()
    {
        // visible 0–100 s, hidden 100–400 s (the module pings on the change), visible again 400–500 s.
        var row = Open(Alice, 0);
        row = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, visible: false, Client, Policy, At(100)).Update!;
        row = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, visible: true, Client, Policy, At(400)).Update!;
        row = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, visible: true, Client, Policy, At(500)).Update!;

        Assert.Equal(200.0, row.WatchedSecondsRaw);
        Assert.Equal(200.0, row.VisibleContentSeconds);
    }

    [Fact]
    public void Ping_BeforeTheContentStarts_CountsRawButNotContent()
    {
        var row = Open(Alice, -600);

        var next = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, true, Client, Policy, At(-480)).Update!;

        Assert.Equal((120.0, 0.0), (next.WatchedSecondsRaw, next.VisibleContentSeconds));
    }

    [Fact]
    public void Ping_UnknownKey_OpensTheSessionLikeTrack()
    {
        var decision = SessionRules.Ping(Webinar(), null, Guest, "key-00002", true, Client, Policy, At(10));

        Assert.Equal(SessionStatus.Created, decision.Status);
        Assert.Equal(("g:" + Guest.GuestId, At(10), At(10)),
            (decision.Insert!.ViewerKey, decision.Insert.EnteredAt, decision.Insert.LastHeartbeatAt));
    }

    [Fact]
    public void PingTrackAndExit_KeyOfAnotherViewer_AreRefusedAndChangeNothing()
    {
        var row = Open(Alice, 0);

        Assert.Equal(new SessionDecision(SessionStatus.Taken),
            SessionRules.Ping(Webinar(), row, Guest, row.SessionId, true, Client, Policy, At(60)));
        Assert.Equal(new SessionDecision(SessionStatus.Taken),
            SessionRules.Track(Webinar(), row, Guest, row.SessionId, true, Client, Policy, At(60)));
        Assert.Equal(new SessionDecision(SessionStatus.Taken), SessionRules.Exit(Webinar(), row, Guest, Policy, At(60)));
    }

    [Fact]
    public void Track_OpenKeyOfTheSameViewer_ResumesAndCredits()
    {
        var row = Open(Alice, 0);

        var decision = SessionRules.Track(Webinar(), row, Alice, row.SessionId, true, Client, Policy, At(30));

        Assert.Equal(SessionStatus.Resumed, decision.Status);
        Assert.Equal(30.0, decision.Update!.WatchedSecondsRaw);
    }

    [Fact]
    public void Exit_OpenSession_ClosesNowWithTheFinalCreditAndDuration()
    {
        var row = Open(Alice, 0);

        var decision = SessionRules.Exit(Webinar(), row, Alice, Policy, At(90.5));

        Assert.Equal(SessionStatus.Exited, decision.Status);
        var closed = decision.Update!;
        Assert.Equal((At(90.5), 90, ClosedReasons.Exit, 90.5), (closed.ExitedAt, closed.DurationSeconds, closed.ClosedReason, closed.WatchedSecondsRaw));
        Assert.Equal(PresenceChange.Remove, decision.Presence);
    }

    [Fact]
    public void Exit_Twice_SecondChangesNothing()
    {
        var closed = SessionRules.Exit(Webinar(), Open(Alice, 0), Alice, Policy, At(90)).Update!;

        Assert.Equal(new SessionDecision(SessionStatus.AlreadyClosed), SessionRules.Exit(Webinar(), closed, Alice, Policy, At(95)));
    }

    [Fact]
    public void PingAndExit_AfterTheStaleTimeout_CloseAtTheLastHeartbeatNotNow()
    {
        var row = Open(Alice, 0);
        row = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, true, Client, Policy, At(120)).Update!;

        var ping = SessionRules.Ping(Webinar(), row, Alice, row.SessionId, true, Client, Policy, At(120 + 361));
        var exit = SessionRules.Exit(Webinar(), row, Alice, Policy, At(120 + 361));

        foreach (var decision in new[] { ping, exit })
        {
            Assert.Equal(SessionStatus.TimedOut, decision.Status);
            Assert.Equal((At(120), ClosedReasons.Timeout, 120.0),
                (decision.Update!.ExitedAt, decision.Update.ClosedReason, decision.Update.WatchedSecondsRaw));
        }
    }

    [Fact]
    public void Ping_ClosedKey_IsRefusedSoTheClientStartsANewSession()
    {
        var closed = SessionRules.Exit(Webinar(), Open(Alice, 0), Alice, Policy, At(90)).Update!;

        Assert.Equal(SessionStatus.Closed, SessionRules.Ping(Webinar(), closed, Alice, closed.SessionId, true, Client, Policy, At(100)).Status);
        Assert.Equal(SessionStatus.Closed, SessionRules.Track(Webinar(), closed, Alice, closed.SessionId, true, Client, Policy, At(100)).Status);
    }

    [Fact]
    public void TrackAndPing_AfterThePostWindow_AreRefused_ExitStillCloses()
    {
        var webinar = Webinar(contentMinutes: 60, postWindowMinutes: 30);
        var row = Open(Alice, 90 * 60 - 100);
        var late = At(90 * 60 + 1);

        Assert.Equal(SessionStatus.WebinarClosed, SessionRules.Track(webinar, null, Alice, "key-00003", true, Client, Policy, late).Status);
        Assert.Equal(SessionStatus.WebinarClosed, SessionRules.Ping(webinar, row, Alice, row.SessionId, true, Client, Policy, late).Status);
        var exit = SessionRules.Exit(webinar, row, Alice, Policy, late);
        Assert.Equal(SessionStatus.Exited, exit.Status);
        Assert.Equal(webinar.CollectTo, exit.Update!.ExitedAt);
    }
}
