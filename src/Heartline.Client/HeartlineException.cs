namespace Heartline.Client;

/// <summary>
/// An error reply from the server (its stable <see cref="Code"/> from the protocol's error catalog), or a command that
/// could not be sent or answered because the client is not connected (<see cref="NotConnected"/>).
/// </summary>
public sealed class HeartlineException : Exception
{
    /// <summary>
    /// The code used when a command is made while the client is not connected, or the connection was lost before the
    /// reply (the command may or may not have run then). Same meaning as the protocol's <c>not_connected</c>.
    /// </summary>
    public const string NotConnected = "not_connected";

    /// <summary>
    /// A client-side code: push-to-talk (<see cref="Ptt.PttClient"/>) was used with a token that names no office
    /// (<see cref="HeartlineUser.Office"/> is null). Connect with a token carrying push-to-talk's <c>region</c> and
    /// <c>office</c> claims; retrying with the same token cannot help.
    /// </summary>
    public const string NoOffice = "no_office";

    /// <summary>Creates an exception for an error code and its message.</summary>
    public HeartlineException(string code, string message, TimeSpan? retryAfter = null) : base(message)
    {
        Code = code;
        RetryAfter = retryAfter;
    }

    /// <summary>The protocol error code, for example <c>forbidden</c> or <c>rate_limited</c>.</summary>
    public string Code { get; }

    /// <summary>The error's <c>details</c> object when the code documents one (for example <c>floor_busy</c> names the speaker).</summary>
    public System.Text.Json.JsonElement? Details { get; init; }

    /// <summary>When to retry, from <c>retry_after_ms</c> (on <c>rate_limited</c>) or an HTTP <c>Retry-After</c>; otherwise null.</summary>
    public TimeSpan? RetryAfter { get; }
}
