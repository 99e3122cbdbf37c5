using System.Collections.Concurrent;

namespace Heartline.Core.Connections;

/// <summary>Every open connection of this node, by id.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ClientConnection> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(ClientConnection connection) => _connections[connection.Id] = connection;

    public void Remove(ClientConnection connection) =>
        _connections.TryRemove(new KeyValuePair<string, ClientConnection>(connection.Id, connection));

    public bool TryGet(string id, out ClientConnection connection) => _connections.TryGetValue(id, out connection!);

    public ICollection<ClientConnection> All => _connections.Values;

    /// <summary>Connections whose row was stored (<c>connect</c> succeeded) at or before <paramref name="connectedAtMs"/>; allocates nothing.</summary>
    public int CountStoredUpTo(long connectedAtMs)
    {
        var count = 0;
        foreach (var (_, connection) in _connections)
        {
            if (connection.Record is { } record && record.ConnectedAt <= connectedAtMs) count++;
        }
        return count;
    }
}
