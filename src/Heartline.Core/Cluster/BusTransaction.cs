using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Heartline.Core.Channels;
using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>
/// Publications written inside a caller's transaction, so they commit (and wake the nodes) together with the change
/// they announce: a floor grant and its <c>session_started</c> are one commit, in the office's commit order.
/// </summary>
internal sealed class BusTransaction(PostgresPublicationLog log, NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    private readonly List<PendingPublication> _pending = [];
    private readonly List<(PendingPublication Publication, long Offset)> _written = [];

    public void Publish<T>(string channel, T data, JsonTypeInfo<T> info) =>
        _pending.Add(new PendingPublication(channel, JsonSerializer.SerializeToUtf8Bytes(data, info), log.NowMs()));

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
