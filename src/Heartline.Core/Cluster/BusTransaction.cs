using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Heartline.Core.Channels;
using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>
/// Publications written inside a caller's transaction, so they commit (and wake the nodes) together with the change
/// they announce: a lease's change and its publications are one commit, in the lease's commit order.
/// </summary>
internal sealed class BusTransaction(PostgresBroker log, NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    private readonly List<PendingPublication> _pending = [];
    private readonly List<(PendingPublication Publication, long Offset)> _written = [];

    public void Publish<T>(string channel, T data, JsonTypeInfo<T> info) =>
        Publish(channel, JsonSerializer.SerializeToUtf8Bytes(data, info));

    /// <summary>Publishes JSON already serialized.</summary>
    public void Publish(string channel, byte[] data) => _pending.Add(new PendingPublication(channel, data, log.NowMs()));

    /// <summary>Writes what was published so far, in one round trip, inside the transaction.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_pending.Count == 0) return;
        var positions = await log.WriteAsync(connection, transaction, _pending, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < _pending.Count; i++) _written.Add((_pending[i], positions[i].Offset));
        _pending.Clear();
    }

    /// <summary>After the commit: this node's subscribers get the publications without reading them back.</summary>
    public void Committed()
    {
        foreach (var (publication, offset) in _written) log.Committed(publication, offset);
    }
}
