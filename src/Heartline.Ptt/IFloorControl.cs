using Heartline.Core.Connections;

namespace Heartline.Ptt;

/// <summary>A granted press as the press command answers it.</summary>
internal sealed record FloorGrant(string SessionId, long Epoch, string Office, long StartedAtMs);

/// <summary>Who holds the floor when a press is refused.</summary>
internal sealed record FloorHolder(PttUser Speaker, string SessionId);

/// <summary>The outcome of a press: granted (possibly by pre-emption), or busy.</summary>
internal readonly record struct FloorPress(FloorGrant? Granted, FloorHolder? Busy, bool Preempted);

/// <summary>
/// Floor control as the commands, hooks and HTTP API use it: in process on one node (<see cref="FloorControl"/>), or
/// enforced in PostgreSQL across the nodes of a cluster. Every method is safe to call concurrently.
/// </summary>
internal interface IFloorControl
{
    PttOptions Options { get; }

    /// <summary>
    /// Grants the floor, pre-empts a driver for a call manager, or names the holder. <paramref name="onGranted"/> runs
    /// before the start is published to this node's subscribers, so the speaker's reply precedes its own
    /// <c>session_started</c>.
    /// </summary>
    ValueTask<FloorPress> PressAsync(ClientConnection connection, long receivedTimestamp, Action<FloorGrant, bool>? onGranted = null);

    /// <summary>Releases the connection's grant of <paramref name="epoch"/>; false when that is not its current grant.</summary>
    ValueTask<bool> ReleaseAsync(ClientConnection connection, long epoch);

    /// <summary>Extends the speaker's lease; false when the connection does not hold the floor at that epoch.</summary>
    bool Keepalive(ClientConnection connection, long epoch);

    /// <summary>Relays one audio frame of the speaker (docs/protocol.md 10.5).</summary>
    AudioOutcome OnAudio(ClientConnection connection, ReadOnlyMemory<byte> frame);

    ValueTask<PttState> StateAsync(string office, CancellationToken cancellationToken = default);

    /// <summary>Offices with an active session (for the dashboard).</summary>
    ValueTask<IReadOnlyList<string>> ActiveOfficesAsync(CancellationToken cancellationToken = default);

    /// <summary>The current speaker of the office, or null.</summary>
    ValueTask<PttUser?> SpeakerAsync(string office, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="sessionId"/> is the office's current or last session (for latency reports).</summary>
    ValueTask<bool> IsRecentSessionAsync(string office, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>A member connected: if a session is active it joins at once. Returns the state to push, or null.</summary>
    ValueTask<PttState?> MemberConnectedAsync(ClientConnection connection);

    /// <summary>A connection ended: a listener leaves its session. (The speaker's release is its disconnect action.)</summary>
    void ConnectionEnded(ClientConnection connection);

    /// <summary>Ends the grant of <paramref name="epoch"/> in <paramref name="office"/> if it is still current.</summary>
    ValueTask<bool> EndIfCurrentAsync(string office, long epoch, string reason, CancellationToken cancellationToken = default);

    /// <summary>The stale cleaner (seed §4). Returns how many participants and sessions it removed.</summary>
    Task<int> SweepStaleAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every floor and session that node <paramref name="nodeId"/> held (a crashed predecessor of this node, or a
    /// lost node of the cluster; null on a single node: whatever any earlier process left). Returns how many it ended.
    /// </summary>
    /// <param name="startedBefore">Only what started before this time (unix ms): a lost node that came back and
    /// registered again keeps the floors and sessions it started since it was declared lost.</param>
    Task<int> EndNodeSessionsAsync(string? nodeId, string reason, long? startedBefore = null,
        CancellationToken cancellationToken = default);
}
