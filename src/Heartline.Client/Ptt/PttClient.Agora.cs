using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Heartline.Client.Ptt;

/// <summary>An Agora token for the session's channel, from <c>POST /api/ptt/token</c>.</summary>
/// <param name="Token">The AccessToken2 ("007…").</param>
/// <param name="AppId">The Agora App ID to join with.</param>
/// <param name="Channel">The channel name.</param>
/// <param name="Uid">This user's numeric uid.</param>
/// <param name="Role"><c>publisher</c> for the speaker, <c>subscriber</c> for listeners.</param>
/// <param name="ExpiresAt">Unix ms; renew before then.</param>
/// <param name="SessionId">The session the token was fetched for.</param>
public sealed record PttMediaToken(string Token, string AppId, string Channel, uint Uid, string Role, long ExpiresAt, string SessionId = "");

public sealed partial class PttClient
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };
    // The media channel JoinMedia joined, left once when its session ends (guarded by _lock).
    private PttMediaToken? _joinedMedia;

    /// <summary>
    /// Agora mode: a listener's token is ready for the session's channel. The SDK waited a random delay first (seed 6.1:
    /// hundreds of drivers must not ask at the same instant) and checked that the session is still on the air.
    /// </summary>
    public event EventHandler<PttMediaToken>? MediaTokenReady;

    /// <summary>Agora mode: <see cref="PttClientOptions.JoinMedia"/> or <see cref="PttClientOptions.LeaveMedia"/> threw.</summary>
    public event EventHandler<Exception>? MediaFailed;

    /// <summary>
    /// Reports how long joining a session's media channel took (<c>ptt.report</c> <c>join_ms</c>), for apps that join
    /// on <see cref="MediaTokenReady"/> themselves; with <see cref="PttClientOptions.JoinMedia"/> the SDK does it.
    /// </summary>
    /// <exception cref="HeartlineException"><c>not_found</c> when the session is not a recent one of this office.</exception>
    public Task ReportMediaJoinAsync(string sessionId, TimeSpan joinTime, CancellationToken cancellationToken = default) =>
        _client.RequestAsync("ptt.report", new { session_id = sessionId, join_ms = Math.Clamp(joinTime.TotalMilliseconds, 0, 600_000) },
            cancellationToken);

    /// <summary>Thundering-herd guard, then the token request and the app's join; reports the token and join times.</summary>
    private async Task FetchMediaTokenAsync(PttSession session, int minDelayMs, int maxDelayMs)
    {
        var delay = minDelayMs + RandomNumberGenerator.GetInt32(Math.Max(1, maxDelayMs - minDelayMs + 1));
        await Task.Delay(TimeSpan.FromMilliseconds(delay), _time).ConfigureAwait(false);
        if (Session?.SessionId != session.SessionId) return;
        var options = _client.Options;
        var uri = new UriBuilder(options.Uri!) { Scheme = options.Uri!.Scheme == "wss" ? "https" : "http", Path = "/api/ptt/token", Query = "" }.Uri;
        var started = _time.GetTimestamp();
        PttMediaToken token;
        double tokenMs;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(new { }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await options.TokenProvider!(CancellationToken.None).ConfigureAwait(false));
            using var response = await s_http.SendAsync(request).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return;
            var body = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
            tokenMs = _time.GetElapsedTime(started).TotalMilliseconds;
            token = new PttMediaToken(body.GetProperty("token").GetString()!, body.GetProperty("app_id").GetString()!,
                body.GetProperty("channel").GetString()!, body.GetProperty("uid").GetUInt32(), body.GetProperty("role").GetString()!,
                body.GetProperty("expires_at").GetInt64(), session.SessionId);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or HeartlineException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return; // The next session start tries again; the relay path needs no token.
        }
        HeartlineClient.RaiseEvent(this, MediaTokenReady, token);
        var joinMs = await JoinMediaAsync(token).ConfigureAwait(false);
        if (!_options.ReportLatency) return;
        try
        {
            await _client.RequestAsync("ptt.report", new { session_id = session.SessionId, token_ms = tokenMs, join_ms = joinMs }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException) { }
    }

    /// <summary>The app's join, timed; null when there is none, it failed, or the session ended first.</summary>
    private async Task<double?> JoinMediaAsync(PttMediaToken token)
    {
        if (_options.JoinMedia is not { } join || Session?.SessionId != token.SessionId) return null;
        var started = _time.GetTimestamp();
        try
        {
            await join(token, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the app's code: whatever it throws is reported to the app, not to the receive loop
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HeartlineClient.RaiseEvent(this, MediaFailed, ex);
            return null;
        }
        var joinMs = _time.GetElapsedTime(started).TotalMilliseconds;
        PttMediaToken? previous;
        bool ended;
        lock (_lock)
        {
            ended = _session?.SessionId != token.SessionId;
            previous = ended ? null : _joinedMedia;
            if (!ended) _joinedMedia = token;
        }
        // The session ended while joining: its end found nothing to leave, so leave here.
        if (ended) await LeaveMediaAsync(token).ConfigureAwait(false);
        else if (previous is not null) await LeaveMediaAsync(previous).ConfigureAwait(false);
        return joinMs;
    }

    /// <summary>A session ended: the media channel joined for it is left (once).</summary>
    private void LeaveMediaOf(string sessionId)
    {
        PttMediaToken? joined;
        lock (_lock)
        {
            if (_joinedMedia?.SessionId != sessionId) return;
            joined = _joinedMedia;
            _joinedMedia = null;
        }
        _ = LeaveMediaAsync(joined);
    }

    private async Task LeaveMediaAsync(PttMediaToken token)
    {
        if (_options.LeaveMedia is not { } leave) return;
        try
        {
            await leave(token, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the app's code, as above
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HeartlineClient.RaiseEvent(this, MediaFailed, ex);
        }
    }
}
