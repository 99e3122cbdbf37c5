namespace Heartline.Client;

/// <summary>Settings of a <see cref="HeartlineClient"/>. Only <see cref="Uri"/> and <see cref="TokenProvider"/> are required.</summary>
public sealed class HeartlineClientOptions
{
    /// <summary>The server's WebSocket endpoint, for example <c>ws://127.0.0.1:5080/ws</c>. Required.</summary>
    public Uri? Uri { get; set; }

    /// <summary>
    /// Returns the token sent in <c>connect</c>. Called on every connection attempt, including reconnects, so it can
    /// hand out a refreshed token. Required.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>Sent as <c>client</c> in <c>connect</c> (at most 64 characters). Default: <c>heartline-dotnet/1</c>.</summary>
    public string? ClientName { get; set; } = "heartline-dotnet/1";

    /// <summary>Sent as <c>device</c> in <c>connect</c> (at most 128 characters). Default: null (not sent).</summary>
    public string? Device { get; set; }

    /// <summary>Sent as <c>app_type</c> in <c>connect</c> (at most 32 characters). Default: null, the server then uses the token's role.</summary>
    public string? AppType { get; set; }

    /// <summary>How long a command waits for its reply before <see cref="TimeoutException"/>. Default: 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound of the first reconnect delay (the backoff's base). Default: 500 milliseconds.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest reconnect delay. Default: 20 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A connection that stayed up this long resets the backoff to its first step. Default: 10 seconds.</summary>
    public TimeSpan ResetBackoffAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Idle time after which the client sends <c>ping</c>. Default: null, meaning the server's <c>ping_interval_ms</c>
    /// from the <c>connect</c> reply (25 seconds unless the server is configured otherwise).
    /// </summary>
    public TimeSpan? PingInterval { get; set; }

    /// <summary>The clock for timeouts, pings and backoff delays. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (Uri is null) throw new ArgumentException("Uri is required / Uri가 필요합니다", nameof(Uri));
        if (Uri.Scheme is not ("ws" or "wss"))
            throw new ArgumentException("Uri must be ws:// or wss:// / Uri는 ws:// 또는 wss://여야 합니다", nameof(Uri));
        if (TokenProvider is null) throw new ArgumentException("TokenProvider is required / TokenProvider가 필요합니다", nameof(TokenProvider));
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "must be positive");
        if (ReconnectInitialDelay <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ReconnectInitialDelay), "must be positive");
        if (ReconnectMaxDelay < ReconnectInitialDelay)
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), "must be at least ReconnectInitialDelay");
        if (PingInterval is { } ping && ping <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PingInterval), "must be positive");
    }
}
