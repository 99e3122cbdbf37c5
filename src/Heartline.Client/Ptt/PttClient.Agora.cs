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
public sealed record PttMediaToken(string Token, string AppId, string Channel, uint Uid, string Role, long ExpiresAt);

public sealed partial class PttClient
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Agora mode: a listener's token is ready for the session's channel. The SDK waited a random delay first (seed 6.1:
    /// hundreds of drivers must not ask at the same instant) and checked that the session is still on the air.
    /// </summary>
    public event EventHandler<PttMediaToken>? MediaTokenReady;

    /// <summary>Thundering-herd guard, then the token request; reports the token time to the server.</summary>
    private async Task FetchMediaTokenAsync(PttSession session, int minDelayMs, int maxDelayMs)
    {
        var delay = minDelayMs + RandomNumberGenerator.GetInt32(Math.Max(1, maxDelayMs - minDelayMs + 1));
        await Task.Delay(TimeSpan.FromMilliseconds(delay), _time).ConfigureAwait(false);
        if (Session?.SessionId != session.SessionId) return;
        var options = _client.Options;
        var uri = new UriBuilder(options.Uri!) { Scheme = options.Uri!.Scheme == "wss" ? "https" : "http", Path = "/api/ptt/token", Query = "" }.Uri;
        var started = _time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(new { }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await options.TokenProvider!(CancellationToken.None).ConfigureAwait(false));
            using var response = await s_http.SendAsync(request).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return;
            var body = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
            var tokenMs = _time.GetElapsedTime(started).TotalMilliseconds;
            HeartlineClient.RaiseEvent(this, MediaTokenReady, new PttMediaToken(body.GetProperty("token").GetString()!,
                body.GetProperty("app_id").GetString()!, body.GetProperty("channel").GetString()!, body.GetProperty("uid").GetUInt32(),
                body.GetProperty("role").GetString()!, body.GetProperty("expires_at").GetInt64()));
            if (_options.ReportLatency)
                await _client.RequestAsync("ptt.report", new { session_id = session.SessionId, token_ms = tokenMs }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or HeartlineException or TimeoutException or JsonException)
        {
            // The next session start tries again; the relay path needs no token.
        }
    }
}
