namespace Heartline.Ptt.Agora;

/// <summary>
/// The RTC role a token grants; values match Agora's <c>RtcRole</c>. Agora enforces <see cref="Subscriber"/> only
/// when the project has co-host authentication enabled, so floor control must not rely on it.
/// </summary>
internal enum AgoraRole
{
    /// <summary>Join the channel and publish audio, video and data streams (privileges 1-4).</summary>
    Publisher = 1,

    /// <summary>Join the channel only (privilege 1).</summary>
    Subscriber = 2,
}
