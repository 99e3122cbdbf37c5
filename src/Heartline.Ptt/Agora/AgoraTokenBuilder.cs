using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Heartline.Ptt.Agora;

/// <summary>
/// Builds Agora AccessToken2 ("007") RTC tokens. Also compiled into the CLI by file link, so this type must stay
/// free of server-only dependencies (no ASP.NET, no options).
/// </summary>
internal static partial class AgoraTokenBuilder
{
    internal const string VersionPrefix = "007";
    internal const ushort RtcServiceType = 1;
    internal const ushort PrivilegeJoinChannel = 1;
    internal const ushort PrivilegePublishAudio = 2;
    internal const ushort PrivilegePublishVideo = 3;
    internal const ushort PrivilegePublishData = 4;
    internal const int MaxChannelNameBytes = 64;
    internal const uint MaxSalt = 99_999_999;

    // Agora's documented channel name alphabet: ASCII letters, digits, space and this punctuation.
    private const string ChannelNamePunctuation = "!#$%&()+-:;<=.>?@[]^_{|}~,";

    private static readonly SearchValues<char> _hexDigits = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> _channelNameCharacters = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + ChannelNamePunctuation);

    /// <summary>Builds an RTC token; <paramref name="expireSeconds"/> applies to the token and to every privilege.</summary>
    /// <param name="appId">The Agora project's App ID, 32 hex characters, used as written (case matters).</param>
    /// <param name="appCertificate">The project's App Certificate, 32 hex characters, used as written.</param>
    /// <param name="channelName">1 to 64 bytes from Agora's channel name alphabet.</param>
    /// <param name="uid">The user's uid, or 0 to let any uid join with this token.</param>
    /// <param name="role">Publisher gets privileges 1-4, subscriber only 1 (join).</param>
    /// <param name="issuedAt">Unix time in seconds; a parameter so callers decide the clock.</param>
    /// <param name="salt">Random value in 1..99999999.</param>
    /// <param name="expireSeconds">Lifetime in seconds after <paramref name="issuedAt"/>; at least 1.</param>
    public static string BuildRtcToken(
        string appId,
        string appCertificate,
        string channelName,
        uint uid,
        AgoraRole role,
        uint issuedAt,
        uint salt,
        uint expireSeconds)
    {
        ValidateHexId(appId, nameof(appId), "App id");
        ValidateHexId(appCertificate, nameof(appCertificate), "App certificate");
        ValidateChannelName(channelName);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Role must be Publisher or Subscriber.");
        }

        if (salt is 0 or > MaxSalt)
        {
            throw new ArgumentOutOfRangeException(nameof(salt), salt, "Salt must be between 1 and 99999999.");
        }

        if (expireSeconds == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expireSeconds), expireSeconds, "Expire must be at least 1 second.");
        }

        var signingInfo = BuildRtcSigningInfo(
            appId, issuedAt, expireSeconds, salt, channelName, uid, PrivilegesFor(role, expireSeconds));
        var (_, k2) = DeriveSigningKeys(appCertificate, issuedAt, salt);
        return Encode(Sign(k2, signingInfo), signingInfo);
    }

    /// <summary>True when <paramref name="value"/> has the shape of an Agora app id or certificate: 32 hex characters.</summary>
    internal static bool IsHexId(string? value) =>
        value is { Length: 32 } && !value.AsSpan().ContainsAnyExcept(_hexDigits);

    /// <summary>
    /// True when Agora accepts <paramref name="channelName"/>: 1 to 64 bytes from its channel name alphabet (which is
    /// ASCII, so characters are bytes).
    /// </summary>
    internal static bool IsValidChannelName(string? channelName) =>
        !string.IsNullOrEmpty(channelName) && channelName.Length <= MaxChannelNameBytes
        && !channelName.AsSpan().ContainsAnyExcept(_channelNameCharacters);

    internal static KeyValuePair<ushort, uint>[] PrivilegesFor(AgoraRole role, uint expireSeconds) => role switch
    {
        AgoraRole.Publisher =>
        [
            new(PrivilegeJoinChannel, expireSeconds),
            new(PrivilegePublishAudio, expireSeconds),
            new(PrivilegePublishVideo, expireSeconds),
            new(PrivilegePublishData, expireSeconds),
        ],
        _ => [new(PrivilegeJoinChannel, expireSeconds)],
    };

    /// <summary>
    /// The signed part of the token: app id, times, salt and the single RTC service. The signature covers these
    /// bytes exactly, so the field order here is the protocol.
    /// </summary>
    internal static byte[] BuildRtcSigningInfo(
        string appId,
        uint issuedAt,
        uint expireSeconds,
        uint salt,
        string channelName,
        uint uid,
        ReadOnlySpan<KeyValuePair<ushort, uint>> sortedPrivileges)
    {
        var writer = new ArrayBufferWriter<byte>(128 + channelName.Length);
        writer.WriteString(appId);
        writer.WriteUInt32(issuedAt);
        writer.WriteUInt32(expireSeconds);
        writer.WriteUInt32(salt);
        writer.WriteUInt16(1);
        writer.WriteUInt16(RtcServiceType);
        writer.WriteMap(sortedPrivileges);
        writer.WriteString(channelName);
        // Agora encodes "any uid" as the empty string, not as "0".
        writer.WriteString(uid == 0 ? "" : uid.ToString(CultureInfo.InvariantCulture));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>k1 = HMAC(u32le(issuedAt), certificate); k2 = HMAC(u32le(salt), k1). k2 signs the token.</summary>
    internal static (byte[] K1, byte[] K2) DeriveSigningKeys(string appCertificate, uint issuedAt, uint salt)
    {
        Span<byte> key = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(key, issuedAt);
        var k1 = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(appCertificate));
        BinaryPrimitives.WriteUInt32LittleEndian(key, salt);
        var k2 = HMACSHA256.HashData(key, k1);
        return (k1, k2);
    }

    internal static byte[] Sign(ReadOnlySpan<byte> k2, ReadOnlySpan<byte> signingInfo) =>
        HMACSHA256.HashData(k2, signingInfo);

    /// <summary>"007" + base64(zlib(packed signature + signing info)).</summary>
    internal static string Encode(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> signingInfo)
    {
        var content = new ArrayBufferWriter<byte>(2 + signature.Length + signingInfo.Length);
        content.WriteBytes(signature);
        content.Write(signingInfo);

        using var compressed = new MemoryStream();
        // Optimal is the level that reproduces Agora's published vectors byte for byte (see the reference note).
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(content.WrittenSpan);
        }

        return VersionPrefix + Convert.ToBase64String(compressed.GetBuffer(), 0, (int)compressed.Length);
    }

    private static void ValidateHexId(string value, string paramName, string what)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!IsHexId(value))
        {
            // Never echo the value: for the certificate it is a secret.
            throw new ArgumentException($"{what} must be 32 hexadecimal characters (got {value.Length} characters).", paramName);
        }
    }

    private static void ValidateChannelName(string channelName)
    {
        ArgumentNullException.ThrowIfNull(channelName);
        if (channelName.Length == 0)
        {
            throw new ArgumentException("Channel name must not be empty.", nameof(channelName));
        }

        var byteCount = Encoding.UTF8.GetByteCount(channelName);
        if (byteCount > MaxChannelNameBytes)
        {
            throw new ArgumentException(
                $"Channel name must be at most {MaxChannelNameBytes} bytes of UTF-8 (got {byteCount}).", nameof(channelName));
        }

        var bad = channelName.AsSpan().IndexOfAnyExcept(_channelNameCharacters);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"Channel name contains U+{(int)channelName[bad]:X4} at index {bad}; Agora allows only a-z A-Z 0-9, space and \"{ChannelNamePunctuation}\".",
                nameof(channelName));
        }
    }
}
