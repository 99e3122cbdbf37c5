using System.ComponentModel.DataAnnotations;

namespace Heartline.Ptt;

/// <summary>
/// The seed's KPI targets (001 §9.1, §12.2), bound from <c>Ptt:Kpi</c>: checked every <see cref="CheckSeconds"/> over
/// the last <see cref="WindowMinutes"/> per office; a breach is alerted once (dashboard and webhook), then its recovery.
/// </summary>
internal sealed class PttKpiOptions
{
    public const string Section = "Ptt:Kpi";

    /// <summary>
    /// Average press → notification of the listeners (ms). Default: 100 (seed 9.1 "응답 지연 &lt; 100ms"). A target is
    /// met while the average stays below it; an average equal to it is a breach, so 0 alerts on every judged window.
    /// </summary>
    [Range(0, 600_000)] public double NotifyMs { get; set; } = 100;

    /// <summary>Average media-token fetch (ms). Default: 500.</summary>
    [Range(0, 600_000)] public double TokenMs { get; set; } = 500;

    /// <summary>Average media join (ms). Default: 1,000.</summary>
    [Range(0, 600_000)] public double JoinMs { get; set; } = 1000;

    /// <summary>Failed attempts out of all press attempts. Default: 0.001 (0.1 %).</summary>
    [Range(0, 1)] public double ErrorRate { get; set; } = 0.001;

    /// <summary>The window each check looks at, in minutes. Default: 60.</summary>
    [Range(1, 1440)] public int WindowMinutes { get; set; } = 60;

    /// <summary>How often the targets are checked, in seconds. Default: 60.</summary>
    [Range(5, 3600)] public int CheckSeconds { get; set; } = 60;

    /// <summary>Reports a latency average needs in the window before it is judged. Default: 10.</summary>
    [Range(1, 1_000_000)] public int MinimumSamples { get; set; } = 10;

    /// <summary>Press attempts the error rate needs in the window before it is judged. Default: 50.</summary>
    [Range(1, 1_000_000)] public int MinimumAttempts { get; set; } = 50;

    /// <summary>Where breaches and recoveries are also POSTed as JSON (optional, http or https).</summary>
    [Url] public string? WebhookUrl { get; set; }
}
