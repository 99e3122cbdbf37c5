using Heartline.Core.Auth;

namespace Heartline.Ptt;

internal sealed partial class FloorControl
{
    /// <summary>The event scope of operator actions that concern no one office (<c>GET /api/admin/events?scope=ptt</c>).</summary>
    public const string OperationsScope = "ptt";

    /// <summary>
    /// An operator ends a session (a speaker stuck on the floor, a row left open): the floor's current session is ended
    /// and revoked as any end is; a session no floor holds any more but whose row is still open is closed in the store.
    /// Recorded as <c>OPERATOR_ACTION</c> with who did it. False when the session had already ended.
    /// </summary>
    public async Task<bool> EndByOperatorAsync(string office, string sessionId, Principal by, CancellationToken cancellationToken)
    {
        var ended = false;
        var state = await StateAsync(office, cancellationToken).ConfigureAwait(false);
        if (state.SessionId == sessionId && state.Epoch is { } epoch)
            ended = await EndAsync(office, epoch, PttEndReasons.EndedByOperator, revoke: true, cancellationToken).ConfigureAwait(false);
        if (!ended)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (await _store.EndIfOpenAsync(sessionId, now, PttEndReasons.EndedByOperator, cancellationToken).ConfigureAwait(false) is { } row)
            {
                RecordEnded(row, PttEndReasons.EndedByOperator, now);
                ended = true;
            }
        }
        if (ended) RecordOperatorAction(office, sessionId, by, "end_session");
        return ended;
    }

    /// <summary>
    /// An emergency of <paramref name="raiser"/>: the transmission on air (someone else's) ends with reason
    /// <c>emergency</c> so the channel is free for it. Returns the ended session, or null when nothing was on air.
    /// </summary>
    public async Task<string?> EndForEmergencyAsync(string office, string raiser, CancellationToken cancellationToken)
    {
        var state = await StateAsync(office, cancellationToken).ConfigureAwait(false);
        if (!state.Active || state.SessionId is not { } sessionId || state.Epoch is not { } epoch || state.Speaker?.UserId == raiser) return null;
        return await EndAsync(office, epoch, PttEndReasons.Emergency, revoke: true, cancellationToken).ConfigureAwait(false) ? sessionId : null;
    }

    /// <summary>Runs the stale cleaner now (it also runs on its timer) and records who asked; returns how many it removed.</summary>
    public async Task<int> RunStaleCleanerAsync(Principal by, CancellationToken cancellationToken)
    {
        var removed = await SweepStaleAsync(cancellationToken).ConfigureAwait(false);
        RecordOperatorAction(OperationsScope, null, by, "run_stale_cleaner", removed);
        return removed;
    }

    private void RecordOperatorAction(string office, string? sessionId, Principal by, string action, int? count = null)
    {
        var metadata = new Dictionary<string, string> { ["action"] = action, ["by_name"] = by.Name };
        if (count is { } n) metadata["count"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _events.Enqueue(new Heartline.Core.Events.EventRecord(0, PttEventTypes.OperatorAction, office, sessionId, by.SubjectId,
            _time.GetUtcNow().ToUnixTimeMilliseconds(), System.Text.Json.JsonSerializer.Serialize(metadata, PttJsonContext.Default.DictionaryStringString)));
    }
}
