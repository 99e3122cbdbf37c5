using Heartline.Client;
using Heartline.Client.Ptt;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Client;

/// <summary>
/// The .NET PTT SDK against a scripted server that sends frames in the order a race would deliver them, so each
/// interleaving is reproduced every time. The client is pickup driver u1 of r1_o1.
/// </summary>
public sealed class PttClientScriptedTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;
    private ScriptedServer _server = null!;
    private HeartlineClient _client = null!;
    private PttClient _ptt = null!;
    // The SDK's own timers (hold vibration, keep-alives) run on this clock; the connection's on the real one.
    private readonly FakeTimeProvider _clock = new();

    public async Task InitializeAsync()
    {
        _server = await ScriptedServer.StartAsync();
        _client = await ClientKit.ConnectAsync(new HeartlineClientOptions
        {
            Uri = _server.WebSocketUri,
            TokenProvider = _ => ValueTask.FromResult("any"),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        });
        _ptt = new PttClient(_client, new PttClientOptions { ReportLatency = false }, _clock);
        var listening = _ptt.StartListeningAsync();
        await _server.AcceptSubscribeAsync();
        await listening.WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _ptt.DisposeAsync();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static object Started(string sessionId, long epoch, string speaker) => new
    {
        type = "session_started", session_id = sessionId, office = "r1_o1", channel = "ptt_r1_o1", epoch,
        speaker = new { user_id = speaker, name = speaker, app_type = "pickup_driver" }, started_at = 0, max_talk_ms = 60_000,
        media = new { provider = "relay", token_delay_ms = new[] { 100, 500 } },
    };

    private static object Grant(string sessionId, long epoch) =>
        new { session_id = sessionId, epoch, channel = "ptt_r1_o1", started_at = 0, lease_ms = 5000, max_talk_ms = 60_000 };

    private static object Idle(long epoch) => new { office = "r1_o1", active = false, epoch, participants = Array.Empty<object>() };

    [Fact]
    public async Task Start_RevokedBeforeTheReplyIsHandled_IsNotTalking_AndReportsTheRevoke()
    {
        var revoked = new EventQueue<string>();
        _ptt.FloorRevoked += revoked.Handler;

        var start = _ptt.StartAsync();
        var press = await _server.NextCommandAsync("ptt.press");
        // The reply's continuation runs asynchronously, so a pre-emption's events may be handled before it: sent first here.
        await _server.PublishAsync(1, Started("s1", 5, "u1"));
        await _server.PublishAsync(2, new { type = "floor_revoked", session_id = "s1", epoch = 5, user_id = "u1", reason = "preempted" });
        await _server.PublishAsync(3, new { type = "session_ended", session_id = "s1", epoch = 5, reason = "preempted", ended_at = 0, hang_ms = 0 });
        await _server.ReplyAsync(press, Grant("s1", 5));
        var result = await start.WaitAsync(Timeout);

        Assert.False(result.Granted);
        Assert.False(_ptt.IsTalking);
        Assert.Equal("preempted", await revoked.NextAsync());
    }

    [Fact]
    public async Task Talking_RaisesTheHoldVibration_200msAfterTheGrantThenEvery2s_NotWhilePaused_NotAfterTheRelease()
    {
        var cues = new EventQueue<PttCue>();
        _ptt.Cue += cues.Handler;
        var start = _ptt.StartAsync();
        await _server.ReplyAsync(await _server.NextCommandAsync("ptt.press"), Grant("s1", 5));
        Assert.True((await start.WaitAsync(Timeout)).Granted);
        Assert.Equal(PttSound.StartSuccess, (await cues.NextAsync()).Sound);

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        var hold = await cues.NextAsync();
        Assert.Equal((null, PttHaptic.HoldFeedback, null, null), (hold.Sound, hold.Haptic, hold.Announcement, hold.Focus));
        Assert.Equal([0, 50, 200, 50, 200, 50], hold.HapticPattern!.TimingsMs);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PttHaptic.HoldFeedback, (await cues.NextAsync()).Haptic);

        // Paused by a transient focus loss: no pulse, then pulses again once the focus is back.
        await _ptt.OnFocusLostAsync(transient: true).WaitAsync(Timeout);
        _clock.Advance(TimeSpan.FromSeconds(2));
        _ptt.OnFocusGained();
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PttHaptic.HoldFeedback, (await cues.NextAsync()).Haptic);
        Assert.False(cues.TryTake(out var extra), $"a pulse while paused: {extra}");

        var stop = _ptt.StopAsync();
        await _server.ReplyAsync(await _server.NextCommandAsync("ptt.release"), new { released = true });
        await stop.WaitAsync(Timeout);
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(cues.TryTake(out extra), $"a pulse after the release: {extra}");
    }

    [Fact]
    public async Task ConnectionLost_WhileTalking_StopsTalkingAtOnce_WithTheRevokeCue()
    {
        var start = _ptt.StartAsync();
        await _server.ReplyAsync(await _server.NextCommandAsync("ptt.press"), Grant("s1", 5));
        Assert.True((await start.WaitAsync(Timeout)).Granted);
        var revoked = new EventQueue<string>();
        var cues = new EventQueue<PttCue>();
        _ptt.FloorRevoked += revoked.Handler;
        _ptt.Cue += cues.Handler;

        _server.Drop();

        Assert.Equal("disconnected", await revoked.NextAsync());
        Assert.False(_ptt.IsTalking);
        var cue = await cues.NextAsync();
        Assert.Equal(PttSound.End, cue.Sound);
        Assert.Equal(PttAudioFocus.Release, cue.Focus);
    }

    [Fact]
    public async Task Resubscribed_WithoutRecovery_QueriesTheState_AndEndsASessionNoLongerActive()
    {
        var started = new EventQueue<PttSession>();
        var ended = new EventQueue<PttSessionEnded>();
        _ptt.SessionStarted += started.Handler;
        _ptt.SessionEnded += ended.Handler;
        await _server.PublishAsync(1, Started("s1", 5, "u2"));
        Assert.Equal("s1", (await started.NextAsync()).SessionId);

        _server.Drop();
        await _server.ReplyAsync(await _server.NextCommandAsync("subscribe"), new { epoch = "e1", offset = 9, recovered = false });
        await _server.ReplyAsync(await _server.NextCommandAsync("ptt.state"), Idle(5));

        Assert.Equal("s1", (await ended.NextAsync()).SessionId);
        Assert.False(_ptt.IsListening);
        Assert.Null(_ptt.Session);
    }

    [Fact]
    public async Task RefreshState_IdleReplyOlderThanAStartAlreadyHandled_KeepsTheSession()
    {
        var refresh = _ptt.RefreshStateAsync();
        var query = await _server.NextCommandAsync("ptt.state");
        // The reply was computed before this start, but queued behind it.
        await _server.PublishAsync(1, Started("s2", 7, "u2"));
        await _server.ReplyAsync(query, Idle(6));
        await refresh.WaitAsync(Timeout);

        Assert.Equal("s2", _ptt.Session?.SessionId);
        Assert.True(_ptt.IsListening);
    }

    [Fact]
    public async Task RefreshState_ActiveReplyForASessionThatEndedMeanwhile_DoesNotBringItBack()
    {
        await _server.PublishAsync(1, Started("s1", 5, "u2"));
        var refresh = _ptt.RefreshStateAsync();
        var query = await _server.NextCommandAsync("ptt.state");
        await _server.PublishAsync(2, new { type = "session_ended", session_id = "s1", epoch = 5, reason = "released", ended_at = 0, hang_ms = 0 });
        await _server.ReplyAsync(query, new
        {
            office = "r1_o1", active = true, session_id = "s1", epoch = 5, channel = "ptt_r1_o1",
            speaker = new { user_id = "u2", name = "u2", app_type = "pickup_driver" }, started_at = 0, participants = Array.Empty<object>(),
        });
        await refresh.WaitAsync(Timeout);

        Assert.Null(_ptt.Session);
        Assert.False(_ptt.IsListening);
    }
}
