using Heartline.Core.Connections;

namespace Heartline.Ptt;

/// <summary>The in-process engine behind <see cref="IFloorControl"/>: every call completes synchronously.</summary>
internal sealed partial class FloorControl : IFloorControl
{
    ValueTask<FloorPress> IFloorControl.PressAsync(ClientConnection connection, long receivedTimestamp, Action<FloorGrant, bool>? onGranted)
    {
        var outcome = Press(connection, receivedTimestamp,
            onGranted is null ? null : (grant, preempted) => onGranted(ToFloorGrant(grant), preempted));
        return ValueTask.FromResult(new FloorPress(
            outcome.Granted is { } g ? ToFloorGrant(g) : null,
            outcome.Busy is { } b ? new FloorHolder(b.SpeakerUser, b.SessionId) : null,
            outcome.Preempted));
    }

    private static FloorGrant ToFloorGrant(Grant grant) => new(grant.SessionId, grant.Epoch, grant.Office, grant.StartedAtMs);

    ValueTask<IReadOnlyList<string>> IFloorControl.ActiveOfficesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([.. ActiveStates().Select(s => s.Office)]);

    ValueTask<bool> IFloorControl.ReleaseAsync(ClientConnection connection, long epoch) =>
        ValueTask.FromResult(Release(connection, epoch));

    ValueTask<PttState> IFloorControl.StateAsync(string office, CancellationToken cancellationToken) =>
        ValueTask.FromResult(State(office));

    ValueTask<PttUser?> IFloorControl.SpeakerAsync(string office, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Current(office)?.SpeakerUser);

    ValueTask<bool> IFloorControl.IsRecentSessionAsync(string office, string sessionId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Current(office)?.SessionId == sessionId || Floor(office).LastEnded?.Grant.SessionId == sessionId);

    ValueTask<PttState?> IFloorControl.MemberConnectedAsync(ClientConnection connection) =>
        ValueTask.FromResult(MemberConnected(connection));

    ValueTask<bool> IFloorControl.EndIfCurrentAsync(string office, long epoch, string reason, CancellationToken cancellationToken) =>
        ValueTask.FromResult(EndIfCurrent(office, epoch, reason));

    Task<int> IFloorControl.SweepStaleAsync(CancellationToken cancellationToken) => Task.FromResult(SweepStale());

    /// <summary>In process only a crashed predecessor can have left sessions: they are only in the database.</summary>
    async Task<int> IFloorControl.EndNodeSessionsAsync(string? nodeId, string reason, long? startedBefore,
        CancellationToken cancellationToken) =>
        (await store.EndOpenSessionsAsync(nodeId, time.GetUtcNow().ToUnixTimeMilliseconds(), reason, startedBefore, cancellationToken)
            .ConfigureAwait(false)).Count;
}
