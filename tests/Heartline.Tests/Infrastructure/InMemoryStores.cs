using System.Collections.Concurrent;
using Heartline.Core.Events;
using Heartline.Core.Presence;

namespace Heartline.Tests.Infrastructure;

/// <summary>In-memory stores for unit tests of engines (the SQL stores have their own contract suite).</summary>
internal sealed class InMemoryConnectionStore : IConnectionStore
{
    public ConcurrentDictionary<string, (ConnectionRecord Record, long? EndedAt, string? Reason)> Connections { get; } = new();
    public ConcurrentDictionary<string, DisconnectActionRecord> Actions { get; } = new();

    public Task AddAsync(ConnectionRecord connection, CancellationToken cancellationToken = default)
    {
        Connections[connection.ConnectionId] = (connection, null, null);
        return Task.CompletedTask;
    }

    public Task AddScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default)
    {
        if (Connections.TryGetValue(connectionId, out var c) && !c.Record.Scopes.Contains(scope))
            Connections[connectionId] = c with { Record = c.Record with { Scopes = [.. c.Record.Scopes, scope] } };
        return Task.CompletedTask;
    }

    public Task RemoveScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default)
    {
        if (Connections.TryGetValue(connectionId, out var c))
            Connections[connectionId] = c with { Record = c.Record with { Scopes = [.. c.Record.Scopes.Where(s => s != scope)] } };
        return Task.CompletedTask;
    }

    public Task EndAsync(string connectionId, long endedAt, string reason, CancellationToken cancellationToken = default)
    {
        if (Connections.TryGetValue(connectionId, out var c) && c.EndedAt is null)
            Connections[connectionId] = (c.Record, endedAt, reason);
        return Task.CompletedTask;
    }

    public Task<long> CountOpenAsync(string nodeId, long connectedAtMs, CancellationToken cancellationToken = default) =>
        Task.FromResult<long>(Connections.Values.Count(c => c.EndedAt is null && c.Record.NodeId == nodeId && c.Record.ConnectedAt <= connectedAtMs));

    public Task<IReadOnlyList<ConnectionRecord>> ListOpenAsync(string? nodeId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ConnectionRecord>>(
            [.. Connections.Values.Where(c => c.EndedAt is null && (nodeId is null || c.Record.NodeId == nodeId)).Select(c => c.Record)]);

    public Task<int> PurgeEndedAsync(long endedBefore, int limit, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var (id, c) in Connections)
        {
            if (deleted == limit) break;
            if (c.EndedAt < endedBefore && Connections.TryRemove(id, out _)) deleted++;
        }
        return Task.FromResult(deleted);
    }

    public Task AddActionAsync(DisconnectActionRecord action, CancellationToken cancellationToken = default)
    {
        Actions[action.ActionId] = action;
        return Task.CompletedTask;
    }

    public Task<bool> RemoveActionAsync(string actionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Actions.TryRemove(actionId, out _));

    public Task<IReadOnlyList<DisconnectActionRecord>> ListActionsAsync(string connectionId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<DisconnectActionRecord>>(
            [.. Actions.Values.Where(a => a.ConnectionId == connectionId).OrderBy(a => a.CreatedAt)]);
}

internal sealed class InMemoryEventLog : IEventLog
{
    private long _next;
    public ConcurrentQueue<EventRecord> Events { get; } = new();

    public Task AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        Enqueue(record);
        return Task.CompletedTask;
    }

    public void Enqueue(EventRecord record) => Events.Enqueue(record with { Id = Interlocked.Increment(ref _next) });

    public Task<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(new EventPage([.. Events.Where(e => (query.Type is null || e.Type == query.Type) && (query.Scope is null || e.Scope == query.Scope)
            && (query.SessionId is null || e.SessionId == query.SessionId))], null));

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
