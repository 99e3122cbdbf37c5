using System.Security.Cryptography;
using System.Text;
using Heartline.Ptt.Agora;

namespace Heartline.Ptt;

internal static class PttChannels
{
    private const string ReadablePrefix = "ptt_";
    private const string HashedPrefix = "ptth_";

    /// <summary>The realtime channel carrying an office's PTT events.</summary>
    public static string EventChannel(string office) => "ptt:" + office;

    /// <summary>
    /// The office's media channel name (Agora), the only place it is computed: <c>ptt_{office}</c> when that fits
    /// Agora's limit (at most 64 bytes from its alphabet), otherwise <c>ptth_</c> + the first 40 hex digits of the
    /// office key's SHA-256 (45 bytes). Office keys are up to 129 characters (two 64-character ids), so long ones need
    /// the hash; the different prefix keeps a hashed name from ever equalling a readable one.
    /// </summary>
    public static string MediaChannel(string office)
    {
        var readable = ReadablePrefix + office;
        if (AgoraTokenBuilder.IsValidChannelName(readable)) return readable;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(office));
        return HashedPrefix + Convert.ToHexStringLower(hash.AsSpan(0, 20));
    }
}
