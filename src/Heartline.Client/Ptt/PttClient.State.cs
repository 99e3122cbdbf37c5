using System.Text.Json;

namespace Heartline.Client.Ptt;

public sealed partial class PttClient
{
    /// <summary>
    /// Reloads the office's live state (<c>ptt.state</c>) and applies it: a session that ended unseen ends, one that
    /// started unseen is joined. The SDK does this by itself when a reconnect could not recover what it missed.
    /// </summary>
    /// <exception cref="HeartlineException">
    /// The query failed, e.g. <c>not_connected</c>, or <see cref="HeartlineException.NoOffice"/> when the token names no office.
    /// </exception>
    public async Task RefreshStateAsync(CancellationToken cancellationToken = default)
    {
        var office = RequireOffice();
        var state = await _client.RequestAsync("ptt.state", new { office }, cancellationToken).ConfigureAwait(false);
        ApplyState(state);
    }

    /// <summary>The server ends a speaker's session when its connection ends: stop at once rather than after the reconnect.</summary>
    private void OnDisconnected(object? sender, DisconnectedEventArgs e)
    {
        PttSession? mine;
        lock (_lock) mine = _mine;
        if (mine is null) return;
        StopTalking();
        HeartlineClient.RaiseEvent(this, FloorRevoked, "disconnected");
        RaiseCue(RevokedCue);
        EndSessionLocally(mine, "disconnected", cue: false);
    }

    private void OnResubscribed(object? sender, ResubscribedEventArgs e)
    {
        if (e.Error is not null)
        {
            // The office's channel is no longer followed: whatever is on the air can no longer be tracked.
            if (Session is { } session) EndSessionLocally(session, "unknown", cue: true);
            return;
        }
        // Publications were missed: ends and starts of that gap are known only from the state.
        if (!e.Recovered) _ = ReconcileAsync();
    }

    private async Task ReconcileAsync()
    {
        try
        {
            await RefreshStateAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException)
        {
            // The next reconnect tries again.
        }
    }

    /// <summary>A <c>ptt.state</c> push (a member connecting mid-session) or reply: the office's state when it was computed.</summary>
    private void ApplyState(JsonElement state)
    {
        var active = state.TryGetProperty("active", out var a) && a.GetBoolean();
        long? epoch = state.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null;
        var sessionId = active ? state.GetProperty("session_id").GetString() : null;
        PttSession? previous;
        lock (_lock)
        {
            // Computed before publications this client has already handled (a reply queued behind them): older news.
            if (epoch < _maxEpoch || (active && epoch <= _endedEpoch)) return;
            previous = _session?.SessionId == sessionId ? null : _session;
        }
        // Its end was missed (while away, or in the gap before the subscription).
        if (previous is not null) EndSessionLocally(previous, "unknown", cue: true);
        if (active) OnSessionStarted(state, joinedMidSession: true);
    }

    /// <summary>Ends a session this client learnt has ended without its <c>session_ended</c>.</summary>
    private void EndSessionLocally(PttSession session, string reason, bool cue)
    {
        bool wasMine;
        lock (_lock)
        {
            if (_session?.SessionId != session.SessionId) return;
            _session = null;
            wasMine = _mine?.SessionId == session.SessionId;
            // A replay of its start or end (after a reconnect) is old news now.
            if (session.Epoch > _endedEpoch)
            {
                _endedEpoch = session.Epoch;
                _endedReason = reason;
            }
        }
        if (wasMine) StopTalking();
        LeaveMediaOf(session.SessionId);
        HeartlineClient.RaiseEvent(this, SessionEnded, new PttSessionEnded(session.SessionId, reason, 0));
        // No announcement for old news, but the app learns to give the audio focus back.
        if (cue) RaiseCue(new PttCue(PttSound.End, null, null, PttAudioFocus.Release));
    }
}
