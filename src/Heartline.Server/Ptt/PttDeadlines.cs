namespace Heartline.Server.Ptt;

/// <summary>The speaker's two deadlines, shared by the single-node and the cluster floor control.</summary>
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
}
