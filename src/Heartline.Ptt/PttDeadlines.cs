using Heartline.Core.Connections;

namespace Heartline.Ptt;

/// <summary>The speaker's deadlines and the takeover rule, shared by the single-node and the cluster floor control.</summary>
internal static class PttDeadlines
{
    /// <summary>
    /// Why a grant that started at <paramref name="startedTimestamp"/> and was last active at
    /// <paramref name="lastActivityTimestamp"/> ends now — the maximum talk time first, then the lease — or null, with
    /// <paramref name="next"/> the time to its next deadline.
    /// </summary>
    public static string? Due(TimeProvider time, PttOptions options, long startedTimestamp, long lastActivityTimestamp, out TimeSpan next)
    {
        var max = TimeSpan.FromMilliseconds(options.MaxTalkMs) - time.GetElapsedTime(startedTimestamp);
        var lease = TimeSpan.FromMilliseconds(options.LeaseMs) - time.GetElapsedTime(lastActivityTimestamp);
        next = lease < max ? lease : max;
        if (next < TimeSpan.Zero) next = TimeSpan.Zero;
        if (max <= TimeSpan.Zero) return PttEndReasons.MaxDuration;
        return lease <= TimeSpan.Zero ? PttEndReasons.LeaseExpired : null;
    }

    /// <summary>
    /// How long a speaker must have sent neither audio nor keep-alive before the same user's press from another
    /// connection takes the floor over: three quarters of the lease. A live SDK is never that silent: the JavaScript SDK
    /// checks every quarter lease and so keeps the lease at most half a lease apart; the .NET SDK checks every 1.5 s, so
    /// at most 3 s apart (the default lease is 5 s). A silently dropped holder would otherwise keep the floor for the
    /// whole lease.
    /// </summary>
    public static TimeSpan TakeoverSilence(PttOptions options) => TimeSpan.FromMilliseconds(options.LeaseMs * 3 / 4.0);

    /// <summary>
    /// Whether <paramref name="presser"/> may take over <paramref name="grant"/> held by the same user on another
    /// connection: that connection is closing, or it has been silent for <see cref="TakeoverSilence"/>. A user talking
    /// on one device can therefore not lose the floor to a press on their other device.
    /// </summary>
    public static bool MayTakeOver(TimeProvider time, PttOptions options, HeldGrant grant, ClientConnection presser) =>
        grant.Speaker != presser
        && string.Equals(grant.SpeakerUser.UserId, presser.Principal!.SubjectId, StringComparison.Ordinal)
        && (grant.Speaker.IsClosing || time.GetElapsedTime(grant.LastActivityTimestamp) >= TakeoverSilence(options));
}
