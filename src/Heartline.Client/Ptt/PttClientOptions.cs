namespace Heartline.Client.Ptt;

/// <summary>Options of a <see cref="PttClient"/>.</summary>
public sealed class PttClientOptions
{
    /// <summary>Speak announcements in English instead of Korean. Default: false (Korean).</summary>
    public bool EnglishAnnouncements { get; set; }

    /// <summary>
    /// While holding the floor without sending audio, a keep-alive is sent this often so the lease does not lapse.
    /// Default: null, a quarter of the <c>lease_ms</c> of the press reply (1.25 s with the server's default 5 s lease),
    /// at least 100 ms.
    /// </summary>
    public TimeSpan? KeepaliveInterval { get; set; }

    /// <summary>Report the measured grant → notified latency of each session to the server. Default: true.</summary>
    public bool ReportLatency { get; set; } = true;
}
