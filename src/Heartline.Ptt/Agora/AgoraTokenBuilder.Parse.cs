using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Heartline.Ptt.Agora;

internal static partial class AgoraTokenBuilder
{
    // An RTC token's content is about 150 bytes; the cap only stops a hostile token from inflating without bound.
    private const int MaxContentBytes = 64 * 1024;

    /// <summary>
    /// Reads an RTC token back. Does not check the signature (see <see cref="Verify"/>) or the expiry. Only the RTC
    /// service is read; Agora sorts services by type and RTC is type 1, so it is always first when present.
    /// </summary>
    internal static bool TryParse(string token, [NotNullWhen(true)] out AgoraTokenContent? content)
    {
        content = null;
        if (!TryDecode(token, out _, out var signingInfo))
        {
            return false;
        }

        var reader = new AgoraTokenReader(signingInfo);
        if (!TryReadHeader(ref reader, out var appId, out var issueTs, out var expire, out var salt)
            || !reader.TryReadUInt16(out var serviceCount) || serviceCount == 0
            || !reader.TryReadUInt16(out var serviceType) || serviceType != RtcServiceType
            || !reader.TryReadUInt16(out var privilegeCount))
        {
            return false;
        }

        var privileges = new Dictionary<ushort, uint>(privilegeCount);
        for (var i = 0; i < privilegeCount; i++)
        {
            if (!reader.TryReadUInt16(out var privilege) || !reader.TryReadUInt32(out var privilegeExpire))
            {
                return false;
            }

            privileges[privilege] = privilegeExpire;
        }

        if (!reader.TryReadBytes(out var channel) || !reader.TryReadBytes(out var uid))
        {
            return false;
        }

        content = new AgoraTokenContent(
            appId, issueTs, expire, salt, Encoding.UTF8.GetString(channel), Encoding.UTF8.GetString(uid), privileges);
        return true;
    }

    /// <summary>
    /// Recomputes the signature with <paramref name="appCertificate"/> and compares it with the token's. Expiry is not
    /// checked. Returns false for a token that cannot be decoded.
    /// </summary>
    public static bool Verify(string token, string appCertificate)
    {
        ValidateHexId(appCertificate, nameof(appCertificate), "App certificate");
        if (!TryDecode(token, out var signature, out var signingInfo))
        {
            return false;
        }

        var reader = new AgoraTokenReader(signingInfo);
        if (!TryReadHeader(ref reader, out _, out var issueTs, out _, out var salt))
        {
            return false;
        }

        var (_, k2) = DeriveSigningKeys(appCertificate, issueTs, salt);
        return CryptographicOperations.FixedTimeEquals(Sign(k2, signingInfo), signature);
    }

    /// <summary>Splits a token into its packed signature and the signing info that follows it.</summary>
    internal static bool TryDecode(string? token, out byte[] signature, out byte[] signingInfo)
    {
        signature = [];
        signingInfo = [];
        if (token is null || !token.StartsWith(VersionPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var compressed = new byte[token.Length];
        if (!Convert.TryFromBase64String(token[VersionPrefix.Length..], compressed, out var compressedLength)
            || !TryInflate(compressed.AsSpan(0, compressedLength), out var content))
        {
            return false;
        }

        var reader = new AgoraTokenReader(content);
        if (!reader.TryReadBytes(out var packedSignature))
        {
            return false;
        }

        signature = packedSignature.ToArray();
        signingInfo = reader.Remaining.ToArray();
        return true;
    }

    private static bool TryReadHeader(
        ref AgoraTokenReader reader, out string appId, out uint issueTs, out uint expire, out uint salt)
    {
        appId = "";
        issueTs = expire = salt = 0;
        if (!reader.TryReadBytes(out var appIdBytes)
            || !reader.TryReadUInt32(out issueTs)
            || !reader.TryReadUInt32(out expire)
            || !reader.TryReadUInt32(out salt))
        {
            return false;
        }

        appId = Encoding.UTF8.GetString(appIdBytes);
        return true;
    }

    private static bool TryInflate(ReadOnlySpan<byte> compressed, out byte[] content)
    {
        content = [];
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = zlib.Read(chunk)) > 0)
            {
                if (inflated.Length + read > MaxContentBytes)
                {
                    return false;
                }

                inflated.Write(chunk, 0, read);
            }

            content = inflated.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
