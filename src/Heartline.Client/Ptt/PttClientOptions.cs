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

    /// <summary>
    /// While transmitting, a <see cref="PttHaptic.HoldFeedback"/> cue (no sound) is raised 200 ms after the grant and
    /// then this often, so the speaker feels the channel is open (seed 5.2). Not while paused by a transient focus
    /// loss. Default: 2 s, as the JS SDK; <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan HoldFeedbackInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Agora mode: joins the media channel with a token the SDK fetched (after the thundering-herd delay for listeners,
    /// at once for the speaker). The SDK times it and reports token and join times (<c>ptt.report</c>); an exception
    /// is raised as <see cref="PttClient.MediaFailed"/> and nothing is joined. Default: none (handle
    /// <see cref="PttClient.MediaTokenReady"/> and report with <see cref="PttClient.ReportMediaJoinAsync"/>).
    /// </summary>
    public Func<PttMediaToken, CancellationToken, Task>? JoinMedia { get; set; }

    /// <summary>
    /// Agora mode: leaves the media channel of a session <see cref="JoinMedia"/> joined, once, when that session ends
    /// (for any reason, also one this client learnt of only after a reconnect) or the client is disposed.
    /// </summary>
    public Func<PttMediaToken, CancellationToken, Task>? LeaveMedia { get; set; }
}
