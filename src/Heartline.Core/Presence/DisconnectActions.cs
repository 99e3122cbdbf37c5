using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using Heartline.Core.Connections;

namespace Heartline.Core.Presence;

/// <summary>
/// Registers disconnect actions for connections and runs each exactly once when its connection ends for any reason.
/// Actions are persisted before registration returns, so a restart after a crash runs what the crash left.
/// </summary>
internal sealed partial class DisconnectActions : IDisconnectActions
{
    private readonly IConnectionStore _store;
    private readonly Lazy<FrozenDictionary<string, IDisconnectActionHandler>> _handlers;
    private readonly TimeProvider _time;
    private readonly ILogger<DisconnectActions> _logger;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DisconnectActionRecord>> _byConnection = new(StringComparer.Ordinal);

    /// <param name="handlers">Resolved on first use: handlers (floor control, for one) may depend on this class.</param>
    public DisconnectActions(IConnectionStore store, Func<IEnumerable<IDisconnectActionHandler>> handlers, TimeProvider time,
        ILogger<DisconnectActions> logger)
    {
        _store = store;
        _handlers = new(() => handlers().ToFrozenDictionary(h => h.Kind, StringComparer.Ordinal));
        _time = time;
        _logger = logger;
    }

    /// <summary>Registers an action; returns its id (to cancel it when it is no longer needed).</summary>
    public async Task<string> RegisterAsync(ClientConnection connection, string kind, string payload, CancellationToken cancellationToken = default)
    {
        if (!_handlers.Value.ContainsKey(kind)) throw new ArgumentException($"No disconnect action handler for kind '{kind}'.", nameof(kind));
        var record = new DisconnectActionRecord("a_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            connection.Id, kind, payload, _time.GetUtcNow().ToUnixTimeMilliseconds());
        // Memory first, so a connection that ends while the row is being written still runs the action here; the row
        // is for a restart after a crash (a row written after the action ran only makes it run again: idempotent).
        _byConnection.GetOrAdd(connection.Id, static _ => new(StringComparer.Ordinal))[record.ActionId] = record;
        await _store.AddActionAsync(record, cancellationToken).ConfigureAwait(false);
        return record.ActionId;
    }

    /// <summary>Forgets an action that is no longer needed (e.g. the floor was released normally).</summary>
    public async Task CancelAsync(string connectionId, string actionId, CancellationToken cancellationToken = default)
    {
        if (_byConnection.TryGetValue(connectionId, out var actions) && actions.TryRemove(actionId, out _))
            await _store.RemoveActionAsync(actionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs every action still registered for the connection, oldest first, each at most once in this process
    /// (the first caller takes the set). Returns how many ran. A failing action is logged and removed like the others:
    /// retrying it forever would keep the connection from ending.
    /// </summary>
    public async Task<int> RunAsync(ConnectionRecord connection, string reason, bool loadFromStore, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<DisconnectActionRecord> actions;
        if (_byConnection.TryRemove(connection.ConnectionId, out var registered))
            actions = [.. registered.Values.OrderBy(a => a.CreatedAt)];
        else if (loadFromStore)
            actions = await _store.ListActionsAsync(connection.ConnectionId, cancellationToken).ConfigureAwait(false);
        else
            return 0;
        return await RunAsync(connection, reason, actions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="actions"/>, already read from the store (a cluster node cleaning up after a lost node reads
    /// them for all its connections at once), the same way.
    /// </summary>
    public async Task<int> RunAsync(ConnectionRecord connection, string reason, IReadOnlyList<DisconnectActionRecord> actions,
        CancellationToken cancellationToken = default)
    {
        var ran = 0;
        foreach (var action in actions)
        {
            if (!_handlers.Value.TryGetValue(action.Kind, out var handler))
            {
                Log.UnknownKind(_logger, action.Kind, action.ActionId);
                continue;
            }
            try
            {
                await handler.RunAsync(new DisconnectActionContext(connection, action.Payload, reason), cancellationToken).ConfigureAwait(false);
                ran++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ActionFailed(_logger, ex, action.Kind, connection.ConnectionId);
            }
            await _store.RemoveActionAsync(action.ActionId, cancellationToken).ConfigureAwait(false);
        }
        return ran;
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Error, "Disconnect action {Kind} of connection {ConnectionId} failed.")]
        public static partial void ActionFailed(ILogger logger, Exception exception, string kind, string connectionId);

        [LoggerMessage(1402, LogLevel.Warning, "Disconnect action {ActionId} has kind {Kind}, which no handler serves; it is kept.")]
        public static partial void UnknownKind(ILogger logger, string kind, string actionId);
    }
}
