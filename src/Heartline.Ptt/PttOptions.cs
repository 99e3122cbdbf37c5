using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>Push-to-talk settings, bound from the <c>Ptt</c> section.</summary>
internal sealed class PttOptions
{
    public const string Section = "Ptt";

    /// <summary>Media path: <c>relay</c> (built-in Opus relay over the WebSocket) or <c>agora</c>. Default: relay.</summary>
    [RegularExpression("^(relay|agora)$", ErrorMessage = "Ptt:MediaProvider must be 'relay' or 'agora'.")]
    public string MediaProvider { get; set; } = "relay";

    /// <summary>Whether a call manager may take the floor from a driver. Default: true.</summary>
    public bool Preemption { get; set; } = true;

    /// <summary>Per-office overrides of <see cref="Preemption"/>, keyed by office key. Default: none.</summary>
    public Dictionary<string, bool> OfficePreemption { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The speaker's lease: the floor is released after this long without audio or keep-alive. Default: 5,000 ms.</summary>
    [Range(500, 120_000)] public int LeaseMs { get; set; } = 5000;

    /// <summary>Longest transmission. Default: 60,000 ms.</summary>
    [Range(1000, 3_600_000)] public int MaxTalkMs { get; set; } = 60_000;

    /// <summary>Audio of a released epoch still delivered after the release, so the last syllable is not cut. Default: 300 ms.</summary>
    [Range(0, 5000)] public int ReleaseHangMs { get; set; } = 300;

    /// <summary>How long listeners stay joined after a session ends, for a quick reply. Default: 0.</summary>
    [Range(0, 60_000)] public int SessionHangMs { get; set; }

    /// <summary>How often the stale cleaner runs. Default: 30 seconds (the seed's was 2 minutes).</summary>
    [Range(1, 3600)] public int StaleSweepSeconds { get; set; } = 30;

    /// <summary>Silence after which a participant is removed (HEARTBEAT_LOST). Default: 90 seconds (the seed's was 3 minutes).</summary>
    [Range(5, 3600)] public int ParticipantTimeoutSeconds { get; set; } = 90;

    /// <summary>Lower bound of the random delay SDKs wait before fetching a media token (thundering herd). Default: 100 ms.</summary>
    [Range(0, 10_000)] public int TokenDelayMinMs { get; set; } = 100;

    /// <summary>Upper bound of that delay. Default: 500 ms.</summary>
    [Range(0, 10_000)] public int TokenDelayMaxMs { get; set; } = 500;

    /// <summary>Recordings of relayed transmissions (<c>Ptt:Recordings</c>, docs/protocol.md 10.4).</summary>
    [ValidateObjectMembers] public PttRecordingOptions Recordings { get; set; } = new();

    /// <summary>Shortest time between two emergencies of one user (a second one sooner is <c>rate_limited</c>). Default: 60 seconds.</summary>
    [Range(0, 3600)] public int EmergencyCooldownSeconds { get; set; } = 60;

    /// <summary>Time zone of the daily statistics. Default: Asia/Seoul.</summary>
    [Required] public string StatsTimeZone { get; set; } = "Asia/Seoul";

    public bool PreemptionFor(string office) => OfficePreemption.TryGetValue(office, out var value) ? value : Preemption;
}

internal sealed class PttOptionsValidator : IValidateOptions<PttOptions>
{
    public ValidateOptionsResult Validate(string? name, PttOptions options)
    {
        var failures = new List<string>();
        if (options.TokenDelayMaxMs < options.TokenDelayMinMs)
            failures.Add("Ptt:TokenDelayMaxMs must be at least Ptt:TokenDelayMinMs.");
        if (options.ParticipantTimeoutSeconds * 1000L <= options.LeaseMs)
            failures.Add("Ptt:ParticipantTimeoutSeconds must be longer than Ptt:LeaseMs.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.StatsTimeZone, out _))
            failures.Add($"Ptt:StatsTimeZone '{options.StatsTimeZone}' is not a known time zone.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary><c>Ptt:Recordings</c>: every transmission through the built-in relay is kept as Ogg Opus for a while.</summary>
internal sealed class PttRecordingOptions
{
    /// <summary>Whether transmissions are recorded. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a recording is kept. Default: 24 hours.</summary>
    [Range(1, 24 * 365)] public int KeepHours { get; set; } = 24;

    /// <summary>Most bytes of recordings kept per office; the oldest go first. Default: 200 MB (about 18 hours of speech).</summary>
    [Range(1, 100_000)] public int MaxMegabytesPerOffice { get; set; } = 200;
}
