using System.ComponentModel.DataAnnotations;

namespace Heartline.Core.Auth;

/// <summary>Token settings, bound from the <c>Auth</c> configuration section.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The key that only the Development environment may use. Outside Development the server refuses to start with
    /// it, so a deployment can never run on a key that is public in this repository.
    /// </summary>
    public const string DevelopmentSigningKey = "heartline-development-signing-key-do-not-use-in-production";

    /// <summary>HS256 signing key, at least 32 bytes of UTF-8. Default: the development key (Development only).</summary>
    public string SigningKey { get; set; } = DevelopmentSigningKey;

    /// <summary>Expected <c>iss</c>. Default: <c>heartline</c>.</summary>
    [Required] public string Issuer { get; set; } = "heartline";

    /// <summary>Expected <c>aud</c>. Default: <c>heartline</c>.</summary>
    [Required] public string Audience { get; set; } = "heartline";

    /// <summary>Allowed clock skew when checking expiry. Default: 30 seconds.</summary>
    [Range(0, 600)] public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Whether <c>POST /api/auth/dev-token</c> mints tokens. Default: only in the Development and Testing
    /// environments; setting it to true elsewhere is refused at startup.
    /// </summary>
    public bool? DevTokensEnabled { get; set; }

    /// <summary>Lifetime of a development token when the request names none. Default: 12 hours.</summary>
    [Range(60, 7 * 24 * 3600)] public int DevTokenLifetimeSeconds { get; set; } = 12 * 3600;
}
