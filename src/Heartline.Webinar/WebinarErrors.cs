using Heartline.Core.Protocol;

namespace Heartline.Webinar;

/// <summary>The module's error codes (docs/protocol.md section 6, docs/webinar.md).</summary>
internal static class WebinarErrors
{
    /// <summary>The session key belongs to another viewer: make a new key.</summary>
    public static readonly ErrorCode SessionKeyTaken = new("session_key_taken", ClientAdvice.DoNotRetry);

    /// <summary>The session was closed by exit or timeout: make a new key and track again.</summary>
    public static readonly ErrorCode SessionClosed = new("session_closed", ClientAdvice.DoNotRetry);

    /// <summary>The webinar's collection window is over.</summary>
    public static readonly ErrorCode WebinarClosed = new("webinar_closed", ClientAdvice.DoNotRetry);

    public static readonly ErrorCode[] All = [SessionKeyTaken, SessionClosed, WebinarClosed];
}
