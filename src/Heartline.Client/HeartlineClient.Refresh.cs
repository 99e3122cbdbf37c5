using System.Text.Json;
using Heartline.Client.Internal;

namespace Heartline.Client;

public sealed partial class HeartlineClient
{
    /// <summary>The token was refreshed on the open connection; the value is its new expiry (Unix ms).</summary>
    public event EventHandler<long>? TokenRefreshed;

    /// <summary>
    /// Refreshes the token on the open connection (<c>refresh</c>, protocol section 4) when a third of its life is left,
    /// asking <see cref="HeartlineClientOptions.TokenProvider"/> for a fresh one, so the connection outlives its first
    /// token without reconnecting. A failed refresh is tried again later; at expiry the server closes with 4005 and the
    /// reconnect gets a fresh token anyway. Stops when this connection is no longer the client's.
    /// </summary>
    private async Task RefreshLoopAsync(Connection connection, long expiresAt)
    {
        var token = _lifetime.Token;
        try
        {
            while (true)
            {
                var left = TimeSpan.FromMilliseconds(expiresAt - _time.GetUtcNow().ToUnixTimeMilliseconds());
                var due = TimeSpan.FromTicks(Math.Clamp(left.Ticks * 2 / 3, TimeSpan.TicksPerSecond, TimeSpan.FromDays(24).Ticks));
                await Task.Delay(due, _time, token).ConfigureAwait(false);
                if (Volatile.Read(ref _connection) != connection || State != HeartlineConnectionState.Connected) return;
                long next;
                try
                {
                    var fresh = await _options.TokenProvider!(token).ConfigureAwait(false);
                    var result = await RequestAsync("refresh", new { token = fresh }, token).ConfigureAwait(false);
                    next = result.GetProperty("token_expires_at").GetInt64();
                    Raise(TokenRefreshed, next);
                }
                catch (Exception ex) when (ex is HeartlineException or TimeoutException or JsonException or InvalidOperationException)
                {
                    expiresAt = _time.GetUtcNow().ToUnixTimeMilliseconds() + 135_000; // try again in about 90 s
                    continue;
                }
                // The provider gave the same token again: nothing gained, and asking again would only come sooner.
                if (next <= expiresAt) return;
                expiresAt = next;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
