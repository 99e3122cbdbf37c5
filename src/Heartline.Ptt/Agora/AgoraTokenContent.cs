namespace Heartline.Ptt.Agora;

/// <summary>What an AccessToken2 RTC token says, as read back by <see cref="AgoraTokenBuilder.TryParse"/>.</summary>
/// <param name="AppId">The Agora App ID the token was issued for.</param>
/// <param name="IssueTs">Unix time the token was issued at.</param>
/// <param name="Expire">Token lifetime in seconds, relative to <paramref name="IssueTs"/>.</param>
/// <param name="Salt">The random salt mixed into the signing key.</param>
/// <param name="ChannelName">The channel the token admits to.</param>
/// <param name="Uid">The decimal uid, or empty when any uid may join.</param>
/// <param name="Privileges">RTC privilege number (1 join, 2 audio, 3 video, 4 data) to seconds after <paramref name="IssueTs"/>.</param>
internal sealed record AgoraTokenContent(
    string AppId,
    uint IssueTs,
    uint Expire,
    uint Salt,
    string ChannelName,
    string Uid,
    IReadOnlyDictionary<ushort, uint> Privileges);
