namespace Heartline.Client.Ptt;

/// <summary>The six sound cues of the seed (§5.1); apps map each to a distinct sound.</summary>
public enum PttSound
{
    /// <summary>삑! — short, clear radio beep: the floor was granted.</summary>
    StartSuccess,
    /// <summary>삐빅! — low error tone: the press was refused (busy).</summary>
    StartFail,
    /// <summary>삑-- — long, falling end tone: a transmission ended.</summary>
    End,
    /// <summary>띵! — soft: a listener joined the session, or this client joined one already on the air.</summary>
    Join,
    /// <summary>똑! — short: a listener left the session.</summary>
    Leave,
    /// <summary>띵띠링~ — someone else started speaking.</summary>
    SomeoneSpeaking,
    /// <summary>삐-삐-삐 — a high, repeating alarm: a member raised an emergency (unlike every other cue).</summary>
    Emergency,
}

/// <summary>The four haptic patterns of the seed (§5.2), with its exact timings and amplitudes.</summary>
public enum PttHaptic
{
    /// <summary>One short, strong pulse: [0, 100] ms at amplitude 255.</summary>
    StartSuccess,
    /// <summary>Two short pulses: [0, 80, 80, 80] ms at amplitudes 200, 200.</summary>
    StartFail,
    /// <summary>One soft, long pulse: [0, 300] ms at amplitude 150.</summary>
    SessionNotification,
    /// <summary>Continuous fine pulses while transmitting: [0, 50, 200, 50, 200, 50] ms at amplitudes 100, 100, 100.</summary>
    HoldFeedback,
    /// <summary>Three long, strong pulses: [0, 500, 200, 500, 200, 500] ms at amplitude 255: an emergency.</summary>
    Emergency,
}

/// <summary>What to do with other audio (navigation, music) — the seed's audio-focus guidance (§5.4).</summary>
public enum PttAudioFocus
{
    /// <summary>Request transient focus and duck or pause other audio: a transmission is being received or sent.</summary>
    Acquire,
    /// <summary>Give focus back: nothing is being received or sent.</summary>
    Release,
}

/// <summary>A vibration waveform: alternating off/on durations (ms) and the amplitude of each "on" part (1–255).</summary>
/// <param name="TimingsMs">Off, on, off, on, … in milliseconds (Android VibrationEffect.createWaveform order).</param>
/// <param name="Amplitudes">One amplitude per "on" segment.</param>
public sealed record HapticPattern(IReadOnlyList<int> TimingsMs, IReadOnlyList<int> Amplitudes)
{
    /// <summary>The seed's pattern for <paramref name="haptic"/>.</summary>
    public static HapticPattern For(PttHaptic haptic) => haptic switch
    {
        PttHaptic.StartSuccess => new([0, 100], [255]),
        PttHaptic.StartFail => new([0, 80, 80, 80], [200, 200]),
        PttHaptic.SessionNotification => new([0, 300], [150]),
        PttHaptic.HoldFeedback => new([0, 50, 200, 50, 200, 50], [100, 100, 100]),
        PttHaptic.Emergency => new([0, 500, 200, 500, 200, 500], [255, 255, 255]),
        _ => throw new ArgumentOutOfRangeException(nameof(haptic)),
    };
}

/// <summary>
/// One feedback cue for a state change: a sound, a haptic pattern, a spoken announcement and audio-focus guidance.
/// An app renders whichever it supports and needs no logic of its own.
/// </summary>
/// <param name="Sound">The sound to play, if any (the hold vibration while transmitting has none).</param>
/// <param name="Haptic">The vibration to run, if any.</param>
/// <param name="Announcement">The sentence to speak (Korean by default, English on request), if any.</param>
/// <param name="Focus">Audio-focus guidance, if it changes.</param>
public sealed record PttCue(PttSound? Sound, PttHaptic? Haptic, string? Announcement, PttAudioFocus? Focus)
{
    /// <summary>The vibration waveform of <see cref="Haptic"/>.</summary>
    public HapticPattern? HapticPattern => Haptic is { } h ? HapticPattern.For(h) : null;
}

/// <summary>Announcement texts of the seed (§5.3) in Korean, with English equivalents.</summary>
public static class PttAnnouncements
{
    /// <summary>"{name}님이 PTT를 시작했습니다" / "{name} started talking".</summary>
    public static string SessionStarted(string speaker, bool english = false) =>
        english ? $"{speaker} started talking" : $"{speaker}님이 PTT를 시작했습니다";

    /// <summary>"긴급 호출입니다. {name}님이 긴급 호출을 보냈습니다" / "Emergency. {name} raised an emergency".</summary>
    public static string Emergency(string name, bool english = false) =>
        english ? $"Emergency. {name} raised an emergency" : $"긴급 호출입니다. {name}님이 긴급 호출을 보냈습니다";

    /// <summary>"PTT가 종료되었습니다" / "Transmission ended".</summary>
    public static string SessionEnded(bool english = false) => english ? "Transmission ended" : "PTT가 종료되었습니다";

    /// <summary>"{name}님이 참여했습니다" / "{name} joined".</summary>
    public static string UserJoined(string name, bool english = false) => english ? $"{name} joined" : $"{name}님이 참여했습니다";

    /// <summary>"다른 사용자가 통화 중입니다. 잠시 후 다시 시도해주세요" / "Someone else is talking. Please try again shortly."</summary>
    public static string Busy(string? speaker, bool english = false) => english
        ? (speaker is null ? "Someone else is talking. Please try again shortly." : $"{speaker} is talking. Please try again shortly.")
        : (speaker is null ? "다른 사용자가 통화 중입니다. 잠시 후 다시 시도해주세요" : $"{speaker}님이 통화 중입니다. 잠시 후 다시 시도해주세요");
}
