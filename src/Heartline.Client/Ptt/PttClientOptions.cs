namespace Heartline.Client.Ptt;

/// <summary>Options of a <see cref="PttClient"/>.</summary>
public sealed class PttClientOptions
{
    /// <summary>Speak announcements in English instead of Korean. Default: false (Korean).</summary>
    public bool EnglishAnnouncements { get; set; }

    /// <summary>
    /// While holding the floor without sending audio, a keep-alive is sent this often so the lease (5 s by default on
    /// the server) does not lapse. Default: 1.5 seconds.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Report the measured grant → notified latency of each session to the server. Default: true.</summary>
    public bool ReportLatency { get; set; } = true;
}
