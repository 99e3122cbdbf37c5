namespace Heartline.Core.Presence;

/// <summary>Persists open connections and their disconnect actions so a restart can finish what a crash left.</summary>
internal interface IConnectionStore
{
    Task AddAsync(ConnectionRecord connection, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the open connection entered a presence scope after it connected (a channel with presence), so other
    /// nodes and the crash cleanup see it there. Idempotent.
    /// </summary>
    Task AddScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default);

    /// <summary>The connection left a scope it entered after connecting. Idempotent.</summary>
    Task RemoveScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default);

    /// <summary>Marks the connection ended (idempotent: a second call keeps the first end).</summary>
    Task EndAsync(string connectionId, long endedAt, string reason, CancellationToken cancellationToken = default);

    /// <summary>How many connections of <paramref name="nodeId"/> that connected at or before <paramref name="connectedAtMs"/> were never ended.</summary>
    Task<long> CountOpenAsync(string nodeId, long connectedAtMs, CancellationToken cancellationToken = default);

    /// <summary>Connections of <paramref name="nodeId"/> (null: of every node) that were never ended.</summary>
    Task<IReadOnlyList<ConnectionRecord>> ListOpenAsync(string? nodeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes at most <paramref name="limit"/> connections that ended before <paramref name="endedBefore"/> (Unix ms)
    /// (with their scopes) and returns how many. Open connections are never deleted. Idempotent; on PostgreSQL a node
    /// that finds another purging skips (returns 0).
    /// </summary>
    Task<int> PurgeEndedAsync(long endedBefore, int limit, CancellationToken cancellationToken = default);

    Task AddActionAsync(DisconnectActionRecord action, CancellationToken cancellationToken = default);

    /// <summary>Deletes the action after it ran; false when it was already gone.</summary>
    Task<bool> RemoveActionAsync(string actionId, CancellationToken cancellationToken = default);

    /// <summary>The actions still registered for a connection, oldest first.</summary>
    Task<IReadOnlyList<DisconnectActionRecord>> ListActionsAsync(string connectionId, CancellationToken cancellationToken = default);
}
