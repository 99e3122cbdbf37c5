using System.Buffers.Binary;
using System.Text.Json;

namespace Heartline.Client.Ptt;

public sealed partial class PttClient
{
    private void OnPublication(object? sender, PublicationEventArgs e)
    {
        var data = e.Data;
        if (!data.TryGetProperty("type", out var typeElement)) return;
        switch (typeElement.GetString())
        {
            case "session_started": OnSessionStarted(data); break;
            case "session_ended": OnSessionEnded(data); break;
            case "floor_revoked": OnFloorRevoked(data); break;
            case "speaker_changed":
                HeartlineClient.RaiseEvent(this, SpeakerChanged, PttUser.From(data.GetProperty("speaker")));
                break;
            case "participant_joined": OnParticipantJoined(data); break;
            case "emergency":
                var emergency = new PttEmergency(data.GetProperty("emergency_id").GetString()!, PttUser.From(data.GetProperty("user")),
                    data.GetProperty("at").GetInt64(), data.TryGetProperty("ended_session_id", out var ended) ? ended.GetString() : null);
                HeartlineClient.RaiseEvent(this, EmergencyRaised, emergency);
                RaiseCue(new PttCue(PttSound.Emergency, PttHaptic.Emergency,
                    PttAnnouncements.Emergency(emergency.User.Name, _options.EnglishAnnouncements), PttAudioFocus.Acquire));
                break;
            case "emergency_acknowledged":
                HeartlineClient.RaiseEvent(this, EmergencyAcknowledged, new PttEmergencyAcknowledged(data.GetProperty("emergency_id").GetString()!,
                    PttUser.From(data.GetProperty("by")), data.GetProperty("at").GetInt64()));
                break;
            case "participant_left":
                HeartlineClient.RaiseEvent(this, ParticipantLeft, new PttParticipantChange(data.GetProperty("session_id").GetString()!,
                    data.GetProperty("user_id").GetString()!, null, data.GetProperty("reason").GetString()));
                RaiseCue(new PttCue(PttSound.Leave, null, null, null));
                break;
        }
    }

    /// <summary>A member that connects mid-session gets the state pushed: it listens at once.</summary>
    private void OnPush(object? sender, PushEventArgs e)
    {
        if (e.Type == "ptt.state") ApplyState(e.Frame);
    }

    private void OnSessionStarted(JsonElement data, bool joinedMidSession = false)
    {
        var session = new PttSession(data.GetProperty("session_id").GetString()!, data.GetProperty("epoch").GetInt64(),
            PttUser.From(data.GetProperty("speaker")), data.GetProperty("channel").GetString()!,
            data.GetProperty("started_at").GetInt64(),
            data.TryGetProperty("media", out var media) ? media.GetProperty("provider").GetString()! : "relay");
        var mine = false;
        lock (_lock)
        {
            if (_session?.SessionId == session.SessionId)
            {
                // This client's own grant, known from the press reply: the start completes it with the media.
                if (!_sessionFromGrant) return;
                _sessionFromGrant = false;
                _session = session;
                if (_mine?.SessionId == session.SessionId) _mine = session;
                mine = true;
            }
            else
            {
                if (session.Epoch < _maxEpoch || session.Epoch <= _endedEpoch) return;
                // The press reply precedes the start on the wire, but its continuation may run after this handler.
                mine = _mine?.SessionId == session.SessionId || (_pressing && session.Speaker.UserId == _client.User?.UserId);
                _maxEpoch = session.Epoch;
                _session = session;
            }
        }
        HeartlineClient.RaiseEvent(this, SessionStarted, session);
        if (mine)
        {
            // The speaker needs a publisher token at once: no thundering herd of one.
            if (session.MediaProvider == "agora") _ = FetchMediaTokenAsync(session, 0, 0);
            return;
        }
        RaiseCue(new PttCue(joinedMidSession ? PttSound.Join : PttSound.SomeoneSpeaking, PttHaptic.SessionNotification,
            PttAnnouncements.SessionStarted(session.Speaker.Name, _options.EnglishAnnouncements), PttAudioFocus.Acquire));
        // A session joined from the state started before this client knew of it: no notify latency to report.
        if (_options.ReportLatency && !joinedMidSession) _ = ReportNotifyAsync(session);
        if (session.MediaProvider == "agora")
        {
            // Read now: the frame's JSON is not ours after this handler returns.
            var (min, max) = media.TryGetProperty("token_delay_ms", out var d) && d.GetArrayLength() == 2 ? (d[0].GetInt32(), d[1].GetInt32()) : (100, 500);
            _ = FetchMediaTokenAsync(session, min, max);
        }
    }

    private void OnSessionEnded(JsonElement data)
    {
        var ended = new PttSessionEnded(data.GetProperty("session_id").GetString()!, data.GetProperty("reason").GetString()!,
            data.TryGetProperty("hang_ms", out var h) ? h.GetInt32() : 0);
        bool wasMine;
        lock (_lock)
        {
            if (data.TryGetProperty("epoch", out var e) && e.GetInt64() > _endedEpoch)
            {
                _endedEpoch = e.GetInt64();
                _endedReason = ended.Reason;
            }
            if (_session?.SessionId != ended.SessionId) return;
            _session = null;
            wasMine = _mine?.SessionId == ended.SessionId;
        }
        // The keep-alive and hold cues of this client's own transmission stop with it.
        if (wasMine) StopTalking();
        LeaveMediaOf(ended.SessionId);
        HeartlineClient.RaiseEvent(this, SessionEnded, ended);
        RaiseCue(new PttCue(PttSound.End, null, PttAnnouncements.SessionEnded(_options.EnglishAnnouncements), PttAudioFocus.Release));
    }

    private void OnFloorRevoked(JsonElement data)
    {
        if (data.GetProperty("user_id").GetString() != _client.User?.UserId) return;
        var reason = data.GetProperty("reason").GetString()!;
        bool wasMine;
        lock (_lock)
        {
            wasMine = _mine?.SessionId == data.GetProperty("session_id").GetString();
            // Also while the press reply's continuation is still pending: it must not take up a revoked grant.
            if (data.TryGetProperty("epoch", out var e) && e.GetInt64() >= _endedEpoch)
            {
                _endedEpoch = e.GetInt64();
                _endedReason = reason;
            }
        }
        if (!wasMine) return;
        StopTalking();
        HeartlineClient.RaiseEvent(this, FloorRevoked, reason);
        RaiseCue(RevokedCue);
    }

    private void OnParticipantJoined(JsonElement data)
    {
        var user = data.GetProperty("user");
        var change = new PttParticipantChange(data.GetProperty("session_id").GetString()!, user.GetProperty("user_id").GetString()!,
            user.GetProperty("name").GetString(), null);
        HeartlineClient.RaiseEvent(this, ParticipantJoined, change);
        if (change.UserId == _client.User?.UserId) return;
        RaiseCue(new PttCue(PttSound.Join, null, PttAnnouncements.UserJoined(change.Name ?? change.UserId, _options.EnglishAnnouncements), null));
    }

    private void OnBinary(object? sender, BinaryReceivedEventArgs e)
    {
        var span = e.Data.Span;
        if (span.Length <= 13 || span[0] != 0x01) return;
        HeartlineClient.RaiseEvent(this, AudioReceived, new PttAudioFrame(BinaryPrimitives.ReadInt64BigEndian(span[1..9]),
            BinaryPrimitives.ReadUInt32BigEndian(span[9..13]), e.Data[13..]));
    }

    /// <summary>Reports grant → notified latency (this clock against the server's; accurate when clocks agree, e.g. NTP).</summary>
    private async Task ReportNotifyAsync(PttSession session)
    {
        var notifyMs = _time.GetUtcNow().ToUnixTimeMilliseconds() - session.StartedAt;
        if (notifyMs is < 0 or > 600_000) return;
        try
        {
            await _client.RequestAsync("ptt.report", new { session_id = session.SessionId, notify_ms = (double)notifyMs }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException) { }
    }

    /// <summary>
    /// While talking: keeps the lease while no audio goes out (<paramref name="interval"/> is a quarter of the lease
    /// unless configured) and raises the hold vibration. Both stop with <see cref="StopTalking"/>.
    /// </summary>
    private void StartTalkTimers(PttSession session, TimeSpan interval)
    {
        var cts = new CancellationTokenSource();
        lock (_lock) _keepalive = cts;
        _ = KeepaliveLoopAsync(session, interval, cts.Token);
        if (_options.HoldFeedbackInterval > TimeSpan.Zero) _ = HoldFeedbackLoopAsync(_options.HoldFeedbackInterval, cts.Token);
    }

    private async Task HoldFeedbackLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            // The grant's own vibration first; then the pulses, as long as the floor is held.
            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                bool paused;
                lock (_lock) paused = _paused || cancellationToken.IsCancellationRequested;
                if (!paused) RaiseCue(HoldCue);
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task KeepaliveLoopAsync(PttSession session, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                long last;
                lock (_lock) last = _lastAudioTimestamp;
                if (_time.GetElapsedTime(last) < interval) continue;
                await _client.RequestAsync("ptt.keepalive", new { epoch = session.Epoch }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException)
        {
            // not_floor_holder: the floor was lost; floor_revoked / session_ended say why.
        }
    }
}
