using System.Security.Cryptography;
using System.Text;
using Heartline.Core.Auth;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>
/// Server-signed guest ids, so that a guest's session keys cannot be used by anybody who does not hold the guest's
/// token: <c>{guest id}.{HMAC-SHA256(key, guest id)}</c>, base64url. The key is derived from <c>Auth:SigningKey</c>,
/// so there is no second secret to manage; rotating the signing key turns existing guests into new guests.
/// </summary>
internal sealed class GuestTokens
{
    private const int IdBytes = 16;
    private const int MacBytes = 16;
    private readonly byte[] _key;

    public GuestTokens(ISecretKeys keys)
    {
        _key = keys.Derive("heartline webinar guest v1");
    }

    /// <summary>A new guest: its id and the token the browser keeps.</summary>
    public (string GuestId, string Token) Mint()
    {
        Span<byte> id = stackalloc byte[IdBytes];
        RandomNumberGenerator.Fill(id);
        var guestId = Convert.ToHexStringLower(id);
        return (guestId, guestId + "." + Base64Url(Mac(guestId)));
    }

    /// <summary>The guest id a token carries, or null when the token is malformed or not signed by this server.</summary>
    public string? Validate(string? token)
    {
        if (token is null || token.Length != IdBytes * 2 + 1 + 22 || token[IdBytes * 2] != '.') return null;
        var guestId = token[..(IdBytes * 2)];
        foreach (var ch in guestId)
        {
            if (!char.IsAsciiHexDigitLower(ch) && !char.IsAsciiDigit(ch)) return null;
        }
        Span<byte> given = stackalloc byte[MacBytes + 2];
        if (!System.Buffers.Text.Base64Url.TryDecodeFromChars(token.AsSpan(IdBytes * 2 + 1), given, out var written)
            || written != MacBytes)
            return null;
        return CryptographicOperations.FixedTimeEquals(given[..MacBytes], Mac(guestId)) ? guestId : null;
    }

    private byte[] Mac(string guestId) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(guestId))[..MacBytes];

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
