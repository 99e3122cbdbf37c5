namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>Ends <paramref name="grant"/>: publishes the end (and the revocation), records it, frees the floor.</summary>
    private void EndLocked(OfficeFloor floor, Grant grant, string reason, bool revoke)
    {
        floor.Current = null;
        floor.Timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        floor.LastEnded = new EndedGrant(grant, reason, time.GetTimestamp());
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var channel = PttChannels.EventChannel(floor.Office);
        if (revoke)
        {
            hub.Publish(channel, new FloorRevoked("floor_revoked", grant.SessionId, grant.Epoch, grant.SpeakerUser.UserId, reason),
                PttJsonContext.Default.FloorRevoked);
        }
        hub.Publish(channel, new SessionEnded("session_ended", grant.SessionId, grant.Epoch, reason, now, _options.SessionHangMs),
            PttJsonContext.Default.SessionEnded);
        RecordEnded(grant, reason, now);
        if (reason != PttEndReasons.Disconnected) _ = CancelReleaseActionAsync(grant);
        Log.SessionEnded(logger, grant.SessionId, floor.Office, reason);
    }

    private async Task CancelReleaseActionAsync(Grant grant)
    {
        try
        {
            if (await grant.DisconnectAction.ConfigureAwait(false) is { } actionId)
                await disconnectActions.CancelAsync(grant.Speaker.Id, actionId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ActionRegistrationFailed(logger, ex, grant.SessionId);
        }
    }

    /// <summary>Arms the office timer for the grant's next deadline: the lease or the maximum talk time.</summary>
    private void ArmTimer(OfficeFloor floor, Grant grant)
    {
        floor.Timer ??= time.CreateTimer(static state =>
        {
            var (control, f) = ((FloorControl, OfficeFloor))state!;
            control.CheckDeadlines(f);
        }, (this, floor), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        PttDeadlines.Due(time, _options, grant.StartedTimestamp, grant.LastActivityTimestamp, out var next);
        floor.Timer.Change(next, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Timer callback: ends the grant whose lease or talk time ran out, otherwise re-arms for the next deadline.</summary>
    internal void CheckDeadlines(OfficeFloor floor)
    {
        lock (floor.Lock)
        {
            var grant = floor.Current;
            if (grant is null) return;
            if (PttDeadlines.Due(time, _options, grant.StartedTimestamp, grant.LastActivityTimestamp, out var next) is { } reason)
                EndLocked(floor, grant, reason, revoke: true);
            else
                floor.Timer?.Change(next, Timeout.InfiniteTimeSpan);
        }
    }
}
