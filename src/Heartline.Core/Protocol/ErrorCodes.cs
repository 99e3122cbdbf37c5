namespace Heartline.Core.Protocol;

/// <summary>What a client should do after an error or a close.</summary>
internal enum ClientAdvice
{
    /// <summary>Change the request; retrying it unchanged fails again.</summary>
    DoNotRetry,
    /// <summary>Retry the same request later (with backoff or after the given delay).</summary>
    Retry,
    /// <summary>Open a new connection (with backoff).</summary>
    Reconnect,
    /// <summary>Nothing is wrong with the connection; carry on.</summary>
    Ignore,
    /// <summary>Stop: new credentials or a fixed client are needed.</summary>
    GiveUp,
}

/// <summary>
/// The one catalog of error codes sent in replies and error pushes. docs/protocol.md section 6 lists the same codes;
/// a test keeps the two in step. Modules add their codes here too, so no code is invented elsewhere.
/// </summary>
internal static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string UnknownCommand = "unknown_command";
    public const string NotConnected = "not_connected";
    public const string AlreadyConnected = "already_connected";
    public const string Unauthorized = "unauthorized";
    public const string TokenExpired = "token_expired";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string InvalidChannel = "invalid_channel";
    public const string AlreadySubscribed = "already_subscribed";
    public const string NotSubscribed = "not_subscribed";
    public const string LimitExceeded = "limit_exceeded";
    public const string NotFound = "not_found";
    public const string BinaryNotAllowed = "binary_not_allowed";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal";
    public const string FloorBusy = "floor_busy";
    public const string NotFloorHolder = "not_floor_holder";
    public const string SessionKeyTaken = "session_key_taken";
    public const string SessionClosed = "session_closed";
    public const string WebinarClosed = "webinar_closed";
    public const string Conflict = "conflict";

    /// <summary>Every code with the advice the documentation gives for it.</summary>
    public static readonly IReadOnlyDictionary<string, ClientAdvice> All = new Dictionary<string, ClientAdvice>
    {
        [BadRequest] = ClientAdvice.DoNotRetry,
        [UnknownCommand] = ClientAdvice.DoNotRetry,
        [NotConnected] = ClientAdvice.Reconnect,
        [AlreadyConnected] = ClientAdvice.Ignore,
        [Unauthorized] = ClientAdvice.GiveUp,
        [TokenExpired] = ClientAdvice.Reconnect,
        [Forbidden] = ClientAdvice.DoNotRetry,
        [RateLimited] = ClientAdvice.Retry,
        [InvalidChannel] = ClientAdvice.DoNotRetry,
        [AlreadySubscribed] = ClientAdvice.Ignore,
        [NotSubscribed] = ClientAdvice.Ignore,
        [LimitExceeded] = ClientAdvice.DoNotRetry,
        [NotFound] = ClientAdvice.DoNotRetry,
        [BinaryNotAllowed] = ClientAdvice.DoNotRetry,
        [Unavailable] = ClientAdvice.Retry,
        [Internal] = ClientAdvice.Retry,
        [FloorBusy] = ClientAdvice.Retry,
        [NotFloorHolder] = ClientAdvice.DoNotRetry,
        [SessionKeyTaken] = ClientAdvice.DoNotRetry,
        [SessionClosed] = ClientAdvice.DoNotRetry,
        [WebinarClosed] = ClientAdvice.DoNotRetry,
        [Conflict] = ClientAdvice.Retry,
    };
}
