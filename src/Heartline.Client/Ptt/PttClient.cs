using System.Buffers.Binary;
using System.Text.Json;

namespace Heartline.Client.Ptt;

/// <summary>
/// Push-to-talk on top of a <see cref="HeartlineClient"/> (the seed's API, §12.1): <see cref="StartAsync"/> presses and
/// returns granted or busy, <see cref="StopAsync"/> releases, and the client joins every session of its office as a
/// listener by itself. Every state change raises a typed <see cref="Cue"/> (sound, vibration, announcement, audio
/// focus), so an app needs no logic of its own. Events are raised on the client's receive loop, in order.
/// </summary>
public sealed partial class PttClient : IAsyncDisposable
{
    private const int AudioHeaderLength = 13;
    // The floor was lost: the end tone with the two-pulse failure vibration, as in the JS SDK.
    private static readonly PttCue RevokedCue = new(PttSound.End, PttHaptic.StartFail, null, PttAudioFocus.Release);
    // Felt, not heard: the channel is open while transmitting (seed 5.2).
    private static readonly PttCue HoldCue = new(null, PttHaptic.HoldFeedback, null, null);
    private readonly HeartlineClient _client;
    private readonly PttClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Subscription? _subscription;
    private PttSession? _session;
    private PttSession? _mine;
    private uint _sequence;
    private long _lastAudioTimestamp;
    private CancellationTokenSource? _keepalive;
    private bool _pressing;
    // Transmitting is paused by a transient audio-focus loss: audio is dropped, the floor kept by keep-alives.
    private bool _paused;
    private bool _stopRequested;
    // _session came from this client's press reply, not yet from its session_started (which adds the media).
    private bool _sessionFromGrant;
    // The highest floor epoch seen, and the highest known to have ended (with why): older news is ignored.
    private long _maxEpoch;
    private long _endedEpoch;
    private string _endedReason = "";

    /// <summary>Creates the PTT layer; call <see cref="StartListeningAsync"/> once the client is connected.</summary>
    public PttClient(HeartlineClient client, PttClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        _client = client;
        _options = options ?? new PttClientOptions();
        _time = timeProvider ?? TimeProvider.System;
        _client.Push += OnPush;
        _client.BinaryReceived += OnBinary;
        _client.Disconnected += OnDisconnected;
    }

    /// <summary>The session on the air in this office, or null.</summary>
    public PttSession? Session { get { lock (_lock) return _session; } }

    /// <summary>Who is talking, or null.</summary>
    public PttUser? CurrentSpeaker => Session?.Speaker;

    /// <summary>True while someone else's session is on the air (this client listens to it).</summary>
    public bool IsListening { get { lock (_lock) return _session is not null && _mine is null; } }

    /// <summary>True while this client holds the floor.</summary>
    public bool IsTalking { get { lock (_lock) return _mine is not null; } }

    /// <summary>True while this client holds the floor but a transient focus loss paused its audio (<see cref="OnFocusLostAsync"/>).</summary>
    public bool IsPaused { get { lock (_lock) return _paused; } }

    /// <summary>A session started (someone else's, or this client's own grant).</summary>
    public event EventHandler<PttSession>? SessionStarted;

    /// <summary>The session on the air ended.</summary>
    public event EventHandler<PttSessionEnded>? SessionEnded;

    /// <summary>A call manager took the floor over (pre-emption).</summary>
    public event EventHandler<PttUser>? SpeakerChanged;

    /// <summary>A listener joined the session.</summary>
    public event EventHandler<PttParticipantChange>? ParticipantJoined;

    /// <summary>A listener left the session.</summary>
    public event EventHandler<PttParticipantChange>? ParticipantLeft;

    /// <summary>This client lost the floor (reason: <c>preempted</c>, <c>lease_expired</c>, <c>max_duration</c>, …): stop transmitting.</summary>
    public event EventHandler<string>? FloorRevoked;

    /// <summary>An audio frame of the speaker, from the built-in relay.</summary>
    public event EventHandler<PttAudioFrame>? AudioReceived;

    /// <summary>Feedback for the state change that just happened.</summary>
    public event EventHandler<PttCue>? Cue;

    /// <summary>A member of the office raised an emergency (the <see cref="Cue"/> carries its alarm).</summary>
    public event EventHandler<PttEmergency>? EmergencyRaised;

    /// <summary>A call manager acknowledged an emergency.</summary>
    public event EventHandler<PttEmergencyAcknowledged>? EmergencyAcknowledged;

    /// <summary>
    /// Raises an emergency in this client's office (<c>ptt.emergency</c>): the transmission on air gives way and every
    /// member is alerted. Returns its id.
    /// </summary>
    /// <exception cref="HeartlineException"><c>rate_limited</c> within the cooldown (one a minute); <c>forbidden</c> for a role that does not talk.</exception>
    public async Task<string> RaiseEmergencyAsync(CancellationToken cancellationToken = default)
    {
        var result = await _client.RequestAsync("ptt.emergency", new { }, cancellationToken).ConfigureAwait(false);
        return result.GetProperty("emergency_id").GetString()!;
    }

    /// <summary>A call manager acknowledges an emergency (<c>ptt.emergency_ack</c>); false when someone did already.</summary>
    public async Task<bool> AcknowledgeEmergencyAsync(string emergencyId, CancellationToken cancellationToken = default)
    {
        var result = await _client.RequestAsync("ptt.emergency_ack", new { emergency_id = emergencyId }, cancellationToken).ConfigureAwait(false);
        return result.GetProperty("acknowledged").GetBoolean();
    }

    /// <summary>
    /// The seed's explicit heartbeat (<c>ptt.heartbeat</c>, §12.1 <c>sendHeartbeat</c>). Not needed with this SDK: every
    /// frame, and the client's own pings, already keep the connection and its session memberships alive; for apps
    /// that want to prove liveness on their own schedule. Returns the server's clock.
    /// </summary>
    /// <exception cref="HeartlineException"><see cref="HeartlineException.NotConnected"/> while disconnected.</exception>
    public async Task<DateTimeOffset> HeartbeatAsync(CancellationToken cancellationToken = default)
    {
        var result = await _client.RequestAsync("ptt.heartbeat", new { }, cancellationToken).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeMilliseconds(result.GetProperty("server_time").GetInt64());
    }

    /// <summary>Subscribes to the office's PTT channel; the subscription is renewed with recovery after reconnects.</summary>
    /// <exception cref="HeartlineException">
    /// <see cref="HeartlineException.NotConnected"/> before the client connected; <see cref="HeartlineException.NoOffice"/>
    /// when its token names no office; a server error such as <c>forbidden</c>.
    /// </exception>
    public async Task StartListeningAsync(CancellationToken cancellationToken = default)
    {
        var office = RequireOffice();
        _subscription = await _client.SubscribeAsync("ptt:" + office, new SubscribeOptions { OnPublication = OnPublication }, cancellationToken)
            .ConfigureAwait(false);
        _subscription.Resubscribed += OnResubscribed;
    }

    /// <summary>
    /// Presses: returns granted (this client talks now) or busy with the current speaker. A <see cref="StopAsync"/>
    /// while the press is in flight releases as soon as the grant arrives (the result is granted, but the client no
    /// longer talks). A grant revoked before this method returns is not granted, and <see cref="FloorRevoked"/> says why.
    /// </summary>
    /// <exception cref="HeartlineException">
    /// Errors other than <c>floor_busy</c>, e.g. <c>forbidden</c>; <see cref="HeartlineException.NoOffice"/> when the
    /// token names no office (nothing is sent then).
    /// </exception>
    public async Task<PttStartResult> StartAsync(CancellationToken cancellationToken = default)
    {
        RequireOffice();
        JsonElement result;
        lock (_lock)
        {
            _pressing = true;
            _stopRequested = false;
        }
        try
        {
            result = await _client.RequestAsync("ptt.press", cancellationToken).ConfigureAwait(false);
        }
        catch (HeartlineException ex) when (ex.Code == "floor_busy")
        {
            lock (_lock) _pressing = false;
            var speaker = ex.Details is { } d && d.TryGetProperty("speaker", out var s) ? PttUser.From(s) : null;
            RaiseCue(new PttCue(PttSound.StartFail, PttHaptic.StartFail, PttAnnouncements.Busy(speaker?.Name, _options.EnglishAnnouncements), null));
            return new PttStartResult(false, null, speaker, false);
        }
        catch
        {
            lock (_lock) _pressing = false;
            throw;
        }
        var me = _client.User!;
        var granted = new PttSession(result.GetProperty("session_id").GetString()!, result.GetProperty("epoch").GetInt64(),
            new PttUser(me.UserId, me.Name, me.Role), result.GetProperty("channel").GetString()!,
            result.GetProperty("started_at").GetInt64(), "relay");
        var preempted = result.TryGetProperty("preempted", out var p) && p.GetBoolean();
        var leaseMs = result.TryGetProperty("lease_ms", out var l) ? l.GetInt32() : 5000;
        PttSession session;
        bool lost, stop;
        string lostReason;
        lock (_lock)
        {
            _pressing = false;
            stop = _stopRequested;
            _stopRequested = false;
            // This continuation runs after the reply, possibly after the grant's floor_revoked / session_ended.
            lost = granted.Epoch <= _endedEpoch;
            lostReason = _endedReason;
            // Its session_started may have been handled first: that session also knows the media.
            session = _session?.SessionId == granted.SessionId ? _session : granted;
            if (!lost)
            {
                _sessionFromGrant = ReferenceEquals(session, granted);
                _maxEpoch = Math.Max(_maxEpoch, session.Epoch);
                _mine = session;
                _session = session;
                _sequence = 0;
                _lastAudioTimestamp = _time.GetTimestamp();
            }
        }
        if (lost)
        {
            HeartlineClient.RaiseEvent(this, FloorRevoked, lostReason);
            RaiseCue(RevokedCue);
            return new PttStartResult(false, session, null, preempted);
        }
        RaiseCue(new PttCue(PttSound.StartSuccess, PttHaptic.StartSuccess, null, PttAudioFocus.Acquire));
        if (stop)
        {
            // A quick tap: StopAsync ran while the press was in flight. Holding on would keep the office's floor.
            try { await StopAsync(cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (ex is HeartlineException or TimeoutException) { }
            return new PttStartResult(true, session, null, preempted);
        }
        StartTalkTimers(session, _options.KeepaliveInterval ?? TimeSpan.FromMilliseconds(Math.Max(100, leaseMs / 4)));
        return new PttStartResult(true, session, null, preempted);
    }

    /// <summary>
    /// Releases the floor (the release hang on the server still delivers audio already in flight). While a press is
    /// in flight it returns at once and the floor is released as soon as the grant arrives.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        PttSession? mine;
        lock (_lock)
        {
            mine = _mine;
            if (mine is null && _pressing) _stopRequested = true;
        }
        if (mine is null) return;
        StopTalking();
        await _client.RequestAsync("ptt.release", new { epoch = mine.Epoch }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one Opus packet while holding the floor; dropped when this client does not hold it, or is paused.</summary>
    public Task SendAudioAsync(ReadOnlyMemory<byte> opusPacket, CancellationToken cancellationToken = default)
    {
        byte[] frame;
        lock (_lock)
        {
            if (_mine is null || _paused) return Task.CompletedTask;
            frame = new byte[AudioHeaderLength + opusPacket.Length];
            frame[0] = 0x01;
            BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1), _mine.Epoch);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), ++_sequence);
            _lastAudioTimestamp = _time.GetTimestamp();
        }
        opusPacket.Span.CopyTo(frame.AsSpan(AudioHeaderLength));
        return _client.SendBinaryAsync(frame, cancellationToken);
    }

    /// <summary>
    /// Audio focus was lost to another app, as the seed's audio-focus manager handles it (5.4). A permanent loss
    /// (AUDIOFOCUS_LOSS: a phone call) stops transmitting and releases the floor. A transient one
    /// (AUDIOFOCUS_LOSS_TRANSIENT: a navigation prompt) pauses: <see cref="SendAudioAsync"/> drops audio and the hold
    /// vibration stops, while keep-alives keep the floor, until <see cref="OnFocusGained"/>. Nothing happens when not talking.
    /// </summary>
    public Task OnFocusLostAsync(bool transient = false, CancellationToken cancellationToken = default)
    {
        if (!transient) return StopAsync(cancellationToken);
        lock (_lock) _paused = _mine is not null;
        return Task.CompletedTask;
    }

    /// <summary>Audio focus is back (AUDIOFOCUS_GAIN) after a transient loss: audio flows again.</summary>
    public void OnFocusGained()
    {
        lock (_lock) _paused = false;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _client.Push -= OnPush;
        _client.BinaryReceived -= OnBinary;
        _client.Disconnected -= OnDisconnected;
        if (_subscription is not null) _subscription.Resubscribed -= OnResubscribed;
        StopTalking();
        PttMediaToken? joined;
        lock (_lock) (joined, _joinedMedia) = (_joinedMedia, null);
        if (joined is not null) await LeaveMediaAsync(joined).ConfigureAwait(false);
        if (_subscription is { IsActive: true } subscription)
        {
            try { await subscription.UnsubscribeAsync().ConfigureAwait(false); }
            catch (Exception ex) when (ex is HeartlineException or TimeoutException) { }
        }
    }

    private void StopTalking()
    {
        CancellationTokenSource? keepalive;
        lock (_lock)
        {
            _mine = null;
            _paused = false;
            keepalive = _keepalive;
            _keepalive = null;
        }
        keepalive?.Cancel();
        keepalive?.Dispose();
    }

    /// <summary>The office of the connected identity: push-to-talk works within one office and cannot guess one.</summary>
    private string RequireOffice()
    {
        var user = _client.User ?? throw new HeartlineException(HeartlineException.NotConnected, "connect first / 먼저 연결하세요");
        return user.Office ?? throw new HeartlineException(HeartlineException.NoOffice,
            $"push-to-talk needs a token that names an office (region and office claims); the token of '{user.UserId}' names none"
            + " / PTT는 사무실(region, office)이 지정된 토큰이 필요합니다");
    }

    private void RaiseCue(PttCue cue) => HeartlineClient.RaiseEvent(this, Cue, cue);
}
