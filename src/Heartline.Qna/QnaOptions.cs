using System.ComponentModel.DataAnnotations;

namespace Heartline.Qna;

/// <summary>Neighbourhood Q&amp;A, bound from the <c>Qna</c> section (docs/qna.md, docs/configuration.md).</summary>
internal sealed class QnaOptions
{
    public const string Section = "Qna";

    /// <summary>Tier 1, at once: this many nearest users … Default: 10.</summary>
    [Range(1, 1000)]
    public int Tier1Count { get; set; } = 10;

    /// <summary>… within this distance of the question, in metres. Default: 2,000.</summary>
    [Range(100, 100_000)]
    public int Tier1RadiusMeters { get; set; } = 2000;

    /// <summary>Tier 2, after this delay: everyone within <see cref="Tier2RadiusMeters"/> not yet told. Default: 3 seconds.</summary>
    [Range(0, 3600)]
    public int Tier2DelaySeconds { get; set; } = 3;

    /// <summary>Tier 2's radius in metres. Default: 5,000.</summary>
    [Range(100, 100_000)]
    public int Tier2RadiusMeters { get; set; } = 5000;

    /// <summary>Tier 3, after this delay: users whose expertise hashtags match the question's. Default: 30 seconds.</summary>
    [Range(0, 86400)]
    public int Tier3DelaySeconds { get; set; } = 30;

    /// <summary>Tier 4, after this delay and only while unanswered: everyone in the question's region. Default: 120 seconds.</summary>
    [Range(0, 86400)]
    public int Tier4DelaySeconds { get; set; } = 120;

    /// <summary>The most users one tier notifies (a bound on one job's work). Default: 5,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxPerTier { get; set; } = 5000;

    /// <summary>Attempts of a tier job before it is given up (the seed's <c>attempts: 3</c>). Default: 3.</summary>
    [Range(1, 20)]
    public int JobAttempts { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles it (exponential backoff). Default: 1 second.</summary>
    [Range(1, 3600)]
    public int JobBackoffSeconds { get; set; } = 1;

    /// <summary>How often the node looks for due tier jobs it did not schedule itself (after a restart, another node's). Default: 1 second.</summary>
    [Range(1, 3600)]
    public int JobPollSeconds { get; set; } = 1;

    /// <summary>How long a node holds a claimed job before another may take it over. Default: 30 seconds.</summary>
    [Range(5, 3600)]
    public int JobClaimSeconds { get; set; } = 30;

    /// <summary>Nearby questions: within this distance, in metres (the seed's 3 km). Default: 3,000.</summary>
    [Range(100, 100_000)]
    public int NearbyRadiusMeters { get; set; } = 3000;

    /// <summary>Nearby questions: asked within this many minutes (the seed's hour). Default: 60.</summary>
    [Range(1, 7 * 1440)]
    public int NearbyWindowMinutes { get; set; } = 60;

    /// <summary>A user's last location is forgotten after this many hours without an update. Default: 24.</summary>
    [Range(1, 24 * 365)]
    public int LocationRetentionHours { get; set; } = 24;

    /// <summary>The least time between two stored location updates of one user, in seconds. Default: 5.</summary>
    [Range(0, 3600)]
    public int LocationMinIntervalSeconds { get; set; } = 5;

    /// <summary>Points the accepted answer's author earns. Default: 10.</summary>
    [Range(0, 1_000_000)]
    public int AcceptPoints { get; set; } = 10;

    /// <summary>A typing state without a repeat ends after this many seconds (clients repeat within 3). Default: 5.</summary>
    [Range(1, 60)]
    public int TypingExpirySeconds { get; set; } = 5;

    /// <summary>The longest question body, in characters. Default: 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxBodyLength { get; set; } = 1000;

    /// <summary>The longest answer, in characters. Default: 1,000.</summary>
    [Range(1, 100_000)]
    public int MaxAnswerLength { get; set; } = 1000;

    /// <summary>Hashtags per question or expertise list. Default: 5.</summary>
    [Range(0, 50)]
    public int MaxHashtags { get; set; } = 5;

    /// <summary>Q&amp;A commands one user may send per minute, over all its connections. Default: 100.</summary>
    [Range(1, 1_000_000)]
    public int CommandsPerMinutePerUser { get; set; } = 100;

    /// <summary>Q&amp;A commands per client address per minute (several users may share one address). Default: 300.</summary>
    [Range(1, 10_000_000)]
    public int CommandsPerMinutePerIp { get; set; } = 300;

    /// <summary>Q&amp;A HTTP requests per client address per minute (the seed's 100). Default: 100.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerMinutePerIp { get; set; } = 100;

    /// <summary>Text a question or answer may not contain (case-insensitive substrings); empty (the default) turns the rule off.</summary>
    public List<string> SpamPhrases { get; set; } = [];

    /// <summary>A question still without an answer this long is a slow response: administrators are alerted once. Default: 600 seconds (the seed's 10-minute goal).</summary>
    [Range(10, 86400)]
    public int SlowResponseSeconds { get; set; } = 600;

    /// <summary>Where slow-response alerts are also posted (JSON), besides the <c>qna:admin</c> channel. Default: none.</summary>
    public string? SlowResponseWebhookUrl { get; set; }

    /// <summary>The time zone quiet hours are read in. Default: Asia/Seoul.</summary>
    public string TimeZone { get; set; } = "Asia/Seoul";
}
