using System.Net.Http.Json;
using Heartline.Client;
using Heartline.Client.Ptt;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

/// <summary>The .NET SDK's push-to-talk API (seed §12.1) against the real server.</summary>
public sealed class PttClientTests : RealServerTest
{
    private readonly List<IAsyncDisposable> _owned = [];

    private async Task<(HeartlineClient Client, PttClient Ptt, EventQueue<PttCue> Cues)> MemberAsync(string userId, string role = Roles.PickupDriver,
        PttClientOptions? options = null)
    {
        var client = await ClientKit.ConnectAsync(ClientKit.Options(Server, userId, role));
        var ptt = new PttClient(client, options);
        var cues = new EventQueue<PttCue>();
        ptt.Cue += cues.Handler;
        await ptt.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        _owned.Add(client);
        _owned.Insert(0, ptt);
        return (client, ptt, cues);
    }

    [Fact]
    public async Task Start_ByDispatcher_DriverListensAutomatically_WithCuesNamingTheSpeaker()
    {
        var dispatcher = await MemberAsync("cm1", Roles.CallManager);
        var driver = await MemberAsync("drv1");
        var started = new EventQueue<PttSession>();
        driver.Ptt.SessionStarted += started.Handler;

        var result = await dispatcher.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.True(result.Granted);
        Assert.True(dispatcher.Ptt.IsTalking);
        var session = await started.NextAsync();
        Assert.Equal("cm1", session.Speaker.UserId);
        Assert.True(driver.Ptt.IsListening);
        Assert.Equal("cm1", driver.Ptt.CurrentSpeaker?.UserId);
        var cue = await driver.Cues.NextAsync();
        Assert.Equal(PttSound.SomeoneSpeaking, cue.Sound);
        Assert.Equal(PttHaptic.SessionNotification, cue.Haptic);
        Assert.Equal([0, 300], cue.HapticPattern!.TimingsMs);
        Assert.Equal("cm1님이 PTT를 시작했습니다", cue.Announcement);
        Assert.Equal(PttAudioFocus.Acquire, cue.Focus);
        var own = await dispatcher.Cues.NextAsync();
        Assert.Equal(PttSound.StartSuccess, own.Sound);
        Assert.Equal([255], own.HapticPattern!.Amplitudes);
    }

    [Fact]
    public async Task Emergency_RaisedByADriver_AlertsTheOfficeWithItsCue_AndIsAcknowledgedByTheCallManager()
    {
        var dispatcher = await MemberAsync("cm1", Roles.CallManager);
        var driver = await MemberAsync("drv1");
        var raised = new EventQueue<PttEmergency>();
        var acknowledged = new EventQueue<PttEmergencyAcknowledged>();
        dispatcher.Ptt.EmergencyRaised += raised.Handler;
        driver.Ptt.EmergencyAcknowledged += acknowledged.Handler;

        var id = await driver.Ptt.RaiseEmergencyAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        var emergency = await raised.NextAsync();
        Assert.Equal((id, "drv1"), (emergency.EmergencyId, emergency.User.UserId));
        var cue = await dispatcher.Cues.NextAsync(c => c.Sound == PttSound.Emergency);
        Assert.Equal([0, 500, 200, 500, 200, 500], cue.HapticPattern!.TimingsMs);
        Assert.Equal("긴급 호출입니다. drv1님이 긴급 호출을 보냈습니다", cue.Announcement);
        var tooSoon = await Assert.ThrowsAsync<HeartlineException>(() => driver.Ptt.RaiseEmergencyAsync());
        Assert.Equal("rate_limited", tooSoon.Code);
        Assert.True(await dispatcher.Ptt.AcknowledgeEmergencyAsync(id).WaitAsync(EventQueue<object>.DefaultTimeout));
        Assert.Equal("cm1", (await acknowledged.NextAsync()).By.UserId);
        Assert.False(await dispatcher.Ptt.AcknowledgeEmergencyAsync(id).WaitAsync(EventQueue<object>.DefaultTimeout));
    }

    [Fact]
    public async Task Start_WhileSomeoneTalks_IsBusyWithTheSpeaker_AndAStartFailCue()
    {
        var first = await MemberAsync("drv1");
        var second = await MemberAsync("drv2", options: new PttClientOptions { EnglishAnnouncements = true });
        await first.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await second.Cues.NextAsync();

        var result = await second.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.False(result.Granted);
        Assert.Equal("drv1", result.BusySpeaker?.UserId);
        var cue = await second.Cues.NextAsync();
        Assert.Equal(PttSound.StartFail, cue.Sound);
        Assert.Equal([0, 80, 80, 80], cue.HapticPattern!.TimingsMs);
        Assert.Equal("drv1 is talking. Please try again shortly.", cue.Announcement);
    }

    [Fact]
    public async Task Audio_SentByTheSpeaker_ArrivesAtListenersInOrder_StopEndsIt()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var audio = new EventQueue<PttAudioFrame>();
        var ended = new EventQueue<PttSessionEnded>();
        listener.Ptt.AudioReceived += audio.Handler;
        listener.Ptt.SessionEnded += ended.Handler;
        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        for (var i = 1; i <= 10; i++) await speaker.Ptt.SendAudioAsync(new byte[] { (byte)i, 0xAA }).WaitAsync(EventQueue<object>.DefaultTimeout);
        await speaker.Ptt.StopAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        for (uint i = 1; i <= 10; i++)
        {
            var frame = await audio.NextAsync();
            Assert.Equal(i, frame.Sequence);
            Assert.Equal((byte)i, frame.Opus.Span[0]);
        }
        Assert.Equal("released", (await ended.NextAsync()).Reason);
        Assert.False(listener.Ptt.IsListening);
        Assert.False(speaker.Ptt.IsTalking);
    }

    [Fact]
    public async Task TransientFocusLoss_PausesTheAudio_KeepsTheFloor_AndFocusGainedResumesIt()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var audio = new EventQueue<PttAudioFrame>();
        listener.Ptt.AudioReceived += audio.Handler;
        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await speaker.Ptt.SendAudioAsync(new byte[] { 1 }).WaitAsync(EventQueue<object>.DefaultTimeout);
        Assert.Equal(1, (await audio.NextAsync()).Opus.Span[0]);

        // A navigation prompt takes the focus for a moment (AUDIOFOCUS_LOSS_TRANSIENT).
        await speaker.Ptt.OnFocusLostAsync(transient: true).WaitAsync(EventQueue<object>.DefaultTimeout);
        Assert.True(speaker.Ptt.IsPaused);
        await speaker.Ptt.SendAudioAsync(new byte[] { 2 }).WaitAsync(EventQueue<object>.DefaultTimeout);
        // Longer than the test server's 1.2 s lease: keep-alives hold the floor while the audio is paused.
        await Assert.ThrowsAsync<OperationCanceledException>(() => audio.NextAsync(TimeSpan.FromSeconds(2)));
        Assert.True(speaker.Ptt.IsTalking);
        speaker.Ptt.OnFocusGained();
        await speaker.Ptt.SendAudioAsync(new byte[] { 3 }).WaitAsync(EventQueue<object>.DefaultTimeout);

        var next = await audio.NextAsync();
        Assert.Equal((3, 2u), (next.Opus.Span[0], next.Sequence));
        Assert.False(speaker.Ptt.IsPaused);
        Assert.True(listener.Ptt.IsListening);
    }

    [Fact]
    public async Task PermanentFocusLoss_ReleasesTheFloor()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var ended = new EventQueue<PttSessionEnded>();
        listener.Ptt.SessionEnded += ended.Handler;
        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        await speaker.Ptt.OnFocusLostAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.Equal("released", (await ended.NextAsync()).Reason);
        Assert.False(speaker.Ptt.IsTalking);
    }

    [Fact]
    public async Task Heartbeat_AnswersWithTheServersClock()
    {
        var driver = await MemberAsync("drv1");
        var before = DateTimeOffset.UtcNow;

        var serverTime = await driver.Ptt.HeartbeatAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.InRange(serverTime, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task HoldingWithoutAudio_KeepalivesKeepTheLease()
    {
        var speaker = await MemberAsync("drv1", options: new PttClientOptions { KeepaliveInterval = TimeSpan.FromMilliseconds(200) });
        var listener = await MemberAsync("drv2");
        var ended = new EventQueue<PttSessionEnded>();
        listener.Ptt.SessionEnded += ended.Handler;
        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        // The server's lease is 1.2 s here: without keep-alives the session would end within the wait.
        Assert.False(ended.TryTake(out _));
        await Assert.ThrowsAsync<OperationCanceledException>(() => ended.NextAsync(TimeSpan.FromSeconds(2.5)));
        Assert.True(speaker.Ptt.IsTalking);
    }

    [Fact]
    public async Task HoldingWithoutAudio_DefaultKeepalive_FollowsTheLeaseOfThePressReply()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var ended = new EventQueue<PttSessionEnded>();
        listener.Ptt.SessionEnded += ended.Handler;

        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        // lease_ms is 1.2 s here: a fixed 1.5 s keep-alive would let the lease lapse within the wait (a quarter of it, 300 ms, does not).
        await Assert.ThrowsAsync<OperationCanceledException>(() => ended.NextAsync(TimeSpan.FromSeconds(2.5)));
        Assert.True(speaker.Ptt.IsTalking);
    }

    [Fact]
    public async Task Stop_WhileThePressIsInFlight_ReleasesAsSoonAsTheGrantArrives()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var ended = new EventQueue<PttSessionEnded>();
        listener.Ptt.SessionEnded += ended.Handler;

        var pressing = speaker.Ptt.StartAsync();
        await speaker.Ptt.StopAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await pressing.WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.Equal("released", (await ended.NextAsync()).Reason);
        Assert.False(speaker.Ptt.IsTalking);
        Assert.True((await listener.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout)).Granted);
    }

    [Fact]
    public async Task Preemption_RevokesTheDriversFloor()
    {
        var driver = await MemberAsync("drv1");
        var dispatcher = await MemberAsync("cm1", Roles.CallManager);
        var revoked = new EventQueue<string>();
        driver.Ptt.FloorRevoked += revoked.Handler;
        await driver.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        var result = await dispatcher.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.True(result.Preempted);
        Assert.Equal("preempted", await revoked.NextAsync());
        Assert.False(driver.Ptt.IsTalking);
    }

    [Fact]
    public async Task ConnectingMidSession_ListensAtOnce()
    {
        var speaker = await MemberAsync("drv1");
        await speaker.Ptt.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        var client = new HeartlineClient(ClientKit.Options(Server, "drv9"));
        _owned.Add(client);
        var ptt = new PttClient(client);
        _owned.Insert(0, ptt);
        var started = new EventQueue<PttSession>();
        ptt.SessionStarted += started.Handler;

        await client.ConnectAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.Equal("drv1", (await started.NextAsync()).Speaker.UserId);
        Assert.True(ptt.IsListening);
    }

    // Short enough that a lapse shows within a test's wait, long enough that a busy machine's stall (a cold JIT, the
    // previous test's server shutting down beside it) between two keep-alives does not lapse it: 800 ms did, once.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Ptt:LeaseMs"] = "1200" };

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Agora mode: listeners wait the thundering-herd delay, then fetch a join-only token.</summary>
public sealed class PttClientAgoraTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Ptt:MediaProvider"] = "agora",
        ["Ptt:Agora:AppId"] = "970CA35de60c44645bbae8a215061b33",
        ["Ptt:Agora:AppCertificate"] = "5CFd2fd1755d40ecb72977518be15d3b",
        ["Ptt:TokenDelayMinMs"] = "100",
        ["Ptt:TokenDelayMaxMs"] = "300",
    };

    [Fact]
    public async Task SessionStart_ListenerGetsAJoinOnlyTokenAfterTheJitter()
    {
        await using var speakerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv1"));
        await using var listenerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv2"));
        await using var speaker = new PttClient(speakerClient);
        await using var listener = new PttClient(listenerClient);
        await speaker.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await listener.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        var tokens = new EventQueue<PttMediaToken>();
        listener.MediaTokenReady += tokens.Handler;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await speaker.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        var token = await tokens.NextAsync();

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(100), $"fetched after {clock.Elapsed}: the jitter was skipped");
        Assert.Equal("subscriber", token.Role);
        Assert.Equal("ptt_r1_o1", token.Channel);
        Assert.StartsWith("007", token.Token);
    }

    [Fact]
    public async Task ConnectingMidSession_ListenerGetsAJoinOnlyToken()
    {
        await using var speakerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv1"));
        await using var speaker = new PttClient(speakerClient);
        await speaker.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await using var lateClient = new HeartlineClient(ClientKit.Options(Server, "drv9"));
        await using var late = new PttClient(lateClient);
        var tokens = new EventQueue<PttMediaToken>();
        late.MediaTokenReady += tokens.Handler;

        await lateClient.ConnectAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        var token = await tokens.NextAsync();
        Assert.Equal("subscriber", token.Role);
        Assert.Equal("ptt_r1_o1", token.Channel);
    }

    [Fact]
    public async Task JoinMediaHook_JoinsTheListener_ReportsTheJoinTime_AndLeaveMediaRunsOnceWhenTheSessionEnds()
    {
        await using var speakerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv1"));
        await using var listenerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv2"));
        var joined = new EventQueue<PttMediaToken>();
        var left = new EventQueue<PttMediaToken>();
        await using var speaker = new PttClient(speakerClient);
        await using var listener = new PttClient(listenerClient, new PttClientOptions
        {
            JoinMedia = async (token, cancellationToken) => { await Task.Delay(50, cancellationToken); joined.Handler(null, token); },
            LeaveMedia = (token, _) => { left.Handler(null, token); return Task.CompletedTask; },
        });
        await speaker.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        await listener.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        var session = (await speaker.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout)).Session!;
        var token = await joined.NextAsync();
        Assert.Equal(("subscriber", session.SessionId), (token.Role, token.SessionId));
        await speaker.StopAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.Same(token, await left.NextAsync());
        using var http = Server.CreateHttpClient(Server.Token("cm1", "o1", Roles.CallManager));
        double? joinMs = null;
        await Eventually.TrueAsync(async () =>
        {
            await Server.Services.GetRequiredService<Heartline.Ptt.PttStore>().FlushAsync();
            var detail = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/ptt/sessions/{session.SessionId}");
            var row = detail.GetProperty("listeners").EnumerateArray().Single(l => l.GetProperty("user_id").GetString() == "drv2");
            joinMs = row.GetProperty("join_ms").ValueKind == System.Text.Json.JsonValueKind.Number ? row.GetProperty("join_ms").GetDouble() : null;
            return joinMs is not null;
        }, "the listener's reported join time");
        Assert.InRange(joinMs!.Value, 40, 60_000);
        Assert.False(left.TryTake(out _), "left twice");
    }

    [Fact]
    public async Task Start_SpeakerGetsAPublisherToken()
    {
        await using var speakerClient = await ClientKit.ConnectAsync(ClientKit.Options(Server, "drv1"));
        await using var speaker = new PttClient(speakerClient);
        await speaker.StartListeningAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        var tokens = new EventQueue<PttMediaToken>();
        speaker.MediaTokenReady += tokens.Handler;

        await speaker.StartAsync().WaitAsync(EventQueue<object>.DefaultTimeout);

        Assert.Equal("publisher", (await tokens.NextAsync()).Role);
    }
}
