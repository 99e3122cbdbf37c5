using System.ComponentModel.DataAnnotations;

namespace Heartline.Qna;

/// <summary>Web Push (RFC 8030, VAPID RFC 8292, encryption RFC 8291), bound from <c>Qna:WebPush</c> (docs/qna.md).</summary>
internal sealed class WebPushOptions
{
    public const string Section = "Qna:WebPush";

    /// <summary>Whether notifications go by Web Push to users who are not connected. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The VAPID contact push services may write to (<c>mailto:</c> or <c>https:</c>). Default: <c>mailto:admin@localhost</c>; set it in production.</summary>
    public string Subject { get; set; } = "mailto:admin@localhost";

    /// <summary>
    /// The VAPID key pair (P-256, base64url: the public key uncompressed, 65 bytes; the private key 32 bytes). Absent
    /// (the default), it is derived from <c>Auth:SigningKey</c>, so every node of a cluster has the same one.
    /// </summary>
    public string? PublicKey { get; set; }

    public string? PrivateKey { get; set; }

    /// <summary>
    /// Push service hosts a subscription's endpoint may name (an exact host, or <c>*.</c> and a domain). The default is
    /// the browsers' push services; anything else is refused, so a client cannot make the server post to any address.
    /// </summary>
    public List<string> AllowedHosts { get; set; } =
        ["fcm.googleapis.com", "updates.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com"];

    /// <summary>Allows <c>http:</c> endpoints (tests with a local push service). Default: false (https only).</summary>
    public bool AllowInsecureEndpoints { get; set; }

    /// <summary>How long a push service keeps an undelivered message (TTL), in seconds. Default: 3,600.</summary>
    [Range(0, 2_419_200)]
    public int TimeToLiveSeconds { get; set; } = 3600;

    /// <summary>Subscriptions one user may register (devices and browsers). Default: 10.</summary>
    [Range(1, 100)]
    public int MaxSubscriptionsPerUser { get; set; } = 10;

    /// <summary>Messages waiting to be sent; more are dropped (and logged): the history keeps them. Default: 10,000.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;
}
