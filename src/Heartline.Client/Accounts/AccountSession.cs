using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Client.Accounts;

/// <summary>A signed-in account's user, as the server returns it.</summary>
public sealed record AccountUser(string UserId, string Login, string Name, IReadOnlyList<string> Roles, IReadOnlyDictionary<string, string> Claims);

/// <summary>
/// What a sign-in or refresh returned; keep it (it holds the refresh token) to restore the session later with
/// <see cref="AccountSession.Restore"/>. Times are Unix milliseconds.
/// </summary>
public sealed record SignedInState(string AccessToken, string RefreshToken, long ExpiresAt, long RefreshExpiresAt, AccountUser User)
{
    /// <summary>When this client received the access token (to renew it when a third of its life is left).</summary>
    public long ReceivedAt { get; init; }
}

/// <summary>
/// A Heartline account's sign-in (docs/accounts.md): <c>POST /api/auth/sign-in</c>, <c>/refresh</c>, <c>/sign-out</c>.
/// Pass <see cref="GetTokenAsync"/> as <see cref="HeartlineClientOptions.TokenProvider"/>: the client then renews its
/// token on the open socket before it expires, and this session rotates the refresh token when the access token has a
/// third of its life left. Refreshes are serialized: a refresh token is good for one use, and a second use ends the
/// sign-in on the server.
/// </summary>
public sealed class AccountSession : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private SignedInState _state;

    private AccountSession(HttpClient http, SignedInState state, TimeProvider time)
    {
        _http = http;
        _time = time;
        _state = state;
    }

    /// <summary>The signed-in user.</summary>
    public AccountUser User => _state.User;

    /// <summary>The tokens now (keep them to restore the session).</summary>
    public SignedInState State => _state;

    /// <summary>The tokens changed (a refresh), or the sign-in ended (null: signed out, deactivated, or a refresh token reused).</summary>
    public event Action<SignedInState?>? Changed;

    /// <summary>Signs in on <paramref name="http"/>'s base address.</summary>
    /// <exception cref="HeartlineException"><c>invalid_credentials</c>, <c>account_disabled</c>, <c>rate_limited</c> (with RetryAfter) or <c>bad_request</c>.</exception>
    public static async Task<AccountSession> SignInAsync(HttpClient http, string login, string password, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        time ??= TimeProvider.System;
        var state = await PostAsync(http, "/api/auth/sign-in", new { login, password }, time, cancellationToken).ConfigureAwait(false);
        return new AccountSession(http, state!, time);
    }

    /// <summary>A session from tokens kept earlier (<see cref="State"/>).</summary>
    public static AccountSession Restore(HttpClient http, SignedInState state, TimeProvider? time = null) =>
        new(http ?? throw new ArgumentNullException(nameof(http)), state ?? throw new ArgumentNullException(nameof(state)), time ?? TimeProvider.System);

    /// <summary>An access token with more than a third of its life left, refreshing first when needed.</summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var state = _state;
        var life = Math.Max(0, state.ExpiresAt - state.ReceivedAt);
        if (state.ExpiresAt - _time.GetUtcNow().ToUnixTimeMilliseconds() > life / 3) return state.AccessToken;
        return (await RefreshAsync(state, cancellationToken).ConfigureAwait(false)).AccessToken;
    }

    /// <summary>Rotates the refresh token now.</summary>
    /// <exception cref="HeartlineException"><c>invalid_credentials</c>: the sign-in has ended; sign in again.</exception>
    public Task<SignedInState> RefreshAsync(CancellationToken cancellationToken = default) => RefreshAsync(_state, cancellationToken);

    /// <summary>Ends the sign-in on the server; access tokens end within minutes by themselves.</summary>
    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync("/api/auth/sign-out", new { refresh_token = _state.RefreshToken }, Json, cancellationToken)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed?.Invoke(null);
        }
    }

    /// <summary>Releases the refresh lock (the sign-in stays valid on the server; see <see cref="SignOutAsync"/>).</summary>
    public void Dispose() => _refreshing.Dispose();

    /// <summary>Refreshes unless another caller already replaced <paramref name="seen"/> meanwhile (then its result is used).</summary>
    private async Task<SignedInState> RefreshAsync(SignedInState seen, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(_state, seen)) return _state;
            SignedInState next;
            try
            {
                next = (await PostAsync(_http, "/api/auth/refresh", new { refresh_token = seen.RefreshToken }, _time, cancellationToken).ConfigureAwait(false))!;
            }
            catch (HeartlineException ex) when (ex.Code == "invalid_credentials")
            {
                Changed?.Invoke(null);
                throw;
            }
            _state = next;
            Changed?.Invoke(next);
            return next;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private static async Task<SignedInState?> PostAsync(HttpClient http, string path, object body, TimeProvider time, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(path, body, Json, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var state = await response.Content.ReadFromJsonAsync<SignedInState>(Json, cancellationToken).ConfigureAwait(false);
        return state! with { ReceivedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
    }

    private static async Task<HeartlineException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string code = "unavailable", detail = $"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken).ConfigureAwait(false);
            if (problem.TryGetProperty("code", out var c) && c.GetString() is { } known) code = known;
            if (problem.TryGetProperty("detail", out var d) && d.GetString() is { } text) detail = text;
        }
        catch (JsonException)
        {
            // not a problem document: the status says enough
        }
        return new HeartlineException(code, detail, response.Headers.RetryAfter?.Delta);
    }
}
