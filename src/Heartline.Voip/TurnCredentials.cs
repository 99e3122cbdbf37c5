using System.Security.Cryptography;
using System.Text;

namespace Heartline.Voip;

/// <summary>
/// Time-limited TURN credentials in the TURN REST API scheme that coturn's <c>use-auth-secret</c> checks: the username
/// is <c>{expiry unix seconds}:{party id}</c>, the password base64(HMAC-SHA1(secret, username)).
/// </summary>
internal static class TurnCredentials
{
    public static (string Username, string Credential) For(string partyId, long expiresAtUnixSeconds, string secret)
    {
        var username = $"{expiresAtUnixSeconds}:{partyId}";
        // SHA-1 is what the TURN REST API and coturn's use-auth-secret specify; the secret never leaves the servers.
#pragma warning disable CA5350
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username));
#pragma warning restore CA5350
        return (username, Convert.ToBase64String(mac));
    }
}
