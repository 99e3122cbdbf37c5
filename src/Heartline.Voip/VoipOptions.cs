using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary>VoIP guests and calls, bound from the <c>Voip</c> section (docs/voip.md, docs/configuration.md).</summary>
internal sealed class VoipOptions
{
    public const string Section = "Voip";

    /// <summary>How often a guest's liveness is checked (the seed's <c>heartbeatInterval</c>). Default: 30 seconds.</summary>
    [Range(1, 3600)]
    public int HeartbeatIntervalSeconds { get; set; } = 30;

    /// <summary>How often the server pings a guest (<c>voip.ping</c>, answered by <c>voip.pong</c>; the seed's <c>pingInterval</c>). Default: 60 seconds.</summary>
    [Range(1, 3600)]
    public int PingIntervalSeconds { get; set; } = 60;

    /// <summary>A guest that left this many pings in a row unanswered is disconnected (the seed's <c>maxMissedPings</c>). Default: 3.</summary>
    [Range(1, 100)]
    public int MaxMissedPings { get; set; } = 3;

    /// <summary>A guest from whom nothing arrived for this long is disconnected (the seed's <c>connectionTimeout</c>). Default: 180 seconds.</summary>
    [Range(10, 86400)]
    public int ConnectionTimeoutSeconds { get; set; } = 180;

    /// <summary>How often guests that are gone are purged, besides once at start-up (the seed's <c>cleanupInterval</c>). Default: 300 seconds.</summary>
    [Range(1, 86400)]
    public int CleanupIntervalSeconds { get; set; } = 300;

    /// <summary>How long a guest whose connection dropped keeps its id, presence and call for a reconnect. Default: 60 seconds.</summary>
    [Range(0, 3600)]
    public int ReclaimWindowSeconds { get; set; } = 60;

    /// <summary>How long a guest token is valid; a connected guest renews it with <c>voip.renew</c>. Default: 3,600 seconds.</summary>
    [Range(60, 7 * 86400)]
    public int GuestTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Guest admissions allowed per client address per minute (<c>POST /api/voip/guests</c>). Default: 20.</summary>
    [Range(1, 10_000_000)]
    public int AdmissionsPerMinutePerIp { get; set; } = 20;

    /// <summary>An unanswered call ends with <c>no_answer</c> after this long. Default: 30 seconds.</summary>
    [Range(5, 600)]
    public int RingTimeoutSeconds { get; set; } = 30;

    /// <summary>A call still going after this long is ended with <c>max_duration</c>. Default: 43,200 seconds (12 hours).</summary>
    [Range(60, 7 * 86400)]
    public int MaxCallSeconds { get; set; } = 43200;

    /// <summary>The largest <c>data</c> of one <c>voip.signal</c> (an SDP or a candidate), in bytes. Default: 16,384.</summary>
    [Range(1024, 65536)]
    public int MaxSignalBytes { get; set; } = 16384;

    /// <summary>Call records older than this are deleted by the cleanup. Default: 30 days.</summary>
    [Range(1, 3650)]
    public int CallRetentionDays { get; set; } = 30;

    /// <summary>The tenant of a guest admitted without one. Default: <c>public</c>.</summary>
    public string DefaultTenant { get; set; } = "public";

    /// <summary>Tenants that require an invitation code to admit a guest: tenant → code. Default: none.</summary>
    public Dictionary<string, string> InvitationCodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>ICE servers for the browsers (STUN, and TURN with time-limited credentials).</summary>
    public IceOptions Ice { get; set; } = new();
}

/// <summary>STUN and TURN servers handed to browsers by <c>GET /api/voip/ice-servers</c>.</summary>
internal sealed class IceOptions
{
    /// <summary>STUN URLs, e.g. <c>stun:stun.example.com:3478</c>. Default: none (loopback and LAN calls need none).</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN URLs, e.g. <c>turn:turn.example.com:3478?transport=udp</c>. Default: none.</summary>
    public List<string> TurnUrls { get; set; } = [];

    /// <summary>The shared secret of the TURN server (coturn <c>static-auth-secret</c>); required when <see cref="TurnUrls"/> are set.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>How long a TURN credential is valid. Default: 86,400 seconds (a day).</summary>
    [Range(60, 7 * 86400)]
    public int TurnCredentialSeconds { get; set; } = 86400;
}

internal sealed class VoipOptionsValidator : IValidateOptions<VoipOptions>
{
    public ValidateOptionsResult Validate(string? name, VoipOptions options)
    {
        var errors = new List<string>();
        if (!GuestNames.IsTenant(options.DefaultTenant)) errors.Add("Voip:DefaultTenant must be an id (letters, digits, '-', '_', '.', '@'; up to 64).");
        foreach (var (tenant, code) in options.InvitationCodes)
        {
            if (!GuestNames.IsTenant(tenant)) errors.Add($"Voip:InvitationCodes: '{tenant}' is not a tenant id.");
            if (string.IsNullOrWhiteSpace(code) || code.Length > 128) errors.Add($"Voip:InvitationCodes:{tenant} must have 1-128 characters.");
        }
        if (options.Ice.TurnUrls.Count > 0 && (options.Ice.TurnSecret is not { Length: >= 16 }))
            errors.Add("Voip:Ice:TurnSecret must be set (16 characters or more) when Voip:Ice:TurnUrls are.");
        foreach (var url in options.Ice.StunUrls.Concat(options.Ice.TurnUrls))
        {
            if (!url.StartsWith("stun:", StringComparison.Ordinal) && !url.StartsWith("stuns:", StringComparison.Ordinal)
                && !url.StartsWith("turn:", StringComparison.Ordinal) && !url.StartsWith("turns:", StringComparison.Ordinal))
                errors.Add($"Voip:Ice: '{url}' is not a stun:, stuns:, turn: or turns: URL.");
        }
        if (options.PingIntervalSeconds * options.MaxMissedPings > options.ConnectionTimeoutSeconds * 10)
            errors.Add("Voip:PingIntervalSeconds × MaxMissedPings is far beyond ConnectionTimeoutSeconds: the missed-ping rule would never act.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
