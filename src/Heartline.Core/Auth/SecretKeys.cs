using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

/// <summary>
/// Keys derived from the server's one secret (<c>Auth:SigningKey</c>) for a module's own purpose (signing a guest's
/// viewer token, say), so a module needs no secret of its own and one purpose's key never opens another's.
/// </summary>
public interface ISecretKeys
{
    /// <summary>HMAC-SHA256(signing key, <paramref name="purpose"/>): 32 bytes, stable while the signing key is.</summary>
    byte[] Derive(string purpose);
}

internal sealed class SecretKeys(IOptions<AuthOptions> options) : ISecretKeys
{
    public byte[] Derive(string purpose) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.SigningKey), Encoding.UTF8.GetBytes(purpose));
}
