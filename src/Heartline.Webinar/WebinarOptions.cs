namespace Heartline.Webinar;

/// <summary>
/// Webinar watch-time settings, bound from the <c>Webinar</c> section and from the environment variables the
/// webinar specification names (which win when both are set). See docs/configuration.md.
/// </summary>
internal sealed class WebinarOptions
{
    public const string Section = "Webinar";

    public const string HeartbeatIntervalVariable = "SESSION_HEARTBEAT_INTERVAL_SECONDS";
    public const string DeltaCapMultiplierVariable = "SESSION_DELTA_CAP_MULTIPLIER";
    public const string SweepIntervalVariable = "SESSION_SWEEPER_INTERVAL_SECONDS";
    public const string StaleTimeoutVariable = "SESSION_STALE_TIMEOUT_SECONDS";
    public const string RetentionDaysVariable = "SESSION_RETENTION_DAYS";

    /// <summary>
    /// How often the browser module pings while a page is open (told to clients by <c>track</c>).
    /// Default: 120 seconds, the existing presence ping period.
    /// </summary>
    public int HeartbeatIntervalSeconds { get; set; } = 120;

    /// <summary>
    /// The most one heartbeat may add to watched time, as a multiple of the heartbeat interval, so that a tab that
    /// slept in the background cannot add twenty minutes at once. Default: 3 (360 seconds at the default interval).
    /// </summary>
    public double DeltaCapMultiplier { get; set; } = 3;

    /// <summary>How often the sweeper closes stale sessions and purges old ones. Default: 600 seconds (10 minutes).</summary>
    public int SweepIntervalSeconds { get; set; } = 600;

    /// <summary>
    /// A session without a heartbeat for this long is closed at its last heartbeat. Never less than 3 heartbeat
    /// intervals, because hidden tabs deliver pings late. Default (unset): 300 seconds or 3 heartbeat intervals,
    /// whichever is longer (360 seconds at the default interval).
    /// </summary>
    public int? StaleTimeoutSeconds { get; set; }

    /// <summary>Closed sessions older than this are deleted. Default: 90 days.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// A viewer completed the webinar when the union of their sessions covers at least this share of the content
    /// window. Default: 90 percent.
    /// </summary>
    public int CompletionPercent { get; set; } = 90;

    /// <summary>
    /// Post window of a webinar created without <c>post_window_minutes</c>: heartbeats are still collected this long
    /// after the content ends (people finish a sentence, the Q&amp;A runs over). Default: 30 minutes.
    /// </summary>
    public int DefaultPostWindowMinutes { get; set; } = 30;

    /// <summary>
    /// Track and ping requests one client address may make per <see cref="RequestRateWindowSeconds"/>; more are
    /// answered 429 <c>rate_limited</c> with <c>Retry-After</c> (the module waits and retries track). Exits are never
    /// limited. Generous, because a company's viewers may all come through one address: 600 viewers tracking within
    /// ten seconds and pinging every two minutes stay well below it. Default: 1,200 per 10 seconds.
    /// </summary>
    public int RequestRatePerIp { get; set; } = 1200;

    /// <summary>Window of <see cref="RequestRatePerIp"/>. Default: 10 seconds.</summary>
    public int RequestRateWindowSeconds { get; set; } = 10;

    /// <summary>Environment values that could not be read, reported by the validator.</summary>
    internal List<string> BindingErrors { get; } = [];

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatIntervalSeconds);

    public TimeSpan DeltaCap => TimeSpan.FromSeconds(HeartbeatIntervalSeconds * DeltaCapMultiplier);

    public TimeSpan StaleTimeout =>
        TimeSpan.FromSeconds(StaleTimeoutSeconds ?? Math.Max(300, 3 * HeartbeatIntervalSeconds));

    public TimeSpan SweepInterval => TimeSpan.FromSeconds(SweepIntervalSeconds);

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);
}
