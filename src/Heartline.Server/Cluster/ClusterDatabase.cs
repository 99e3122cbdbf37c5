using System.Text;
using Heartline.Server.Presence;
using Heartline.Server.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Server.Cluster;

/// <summary>
/// The PostgreSQL side of cluster mode: the node's data source, its id, and the names of the two NOTIFY channels.
/// The names carry the schema, so clusters that share a database in different schemas never wake each other.
/// </summary>
internal sealed class ClusterDatabase
{
    public ClusterDatabase(IHeartlineDatabase database, IOptions<PresenceOptions> presence, IOptions<StorageOptions> storage)
    {
        DataSource = (database as PostgresDatabase)?.DataSource
            ?? throw new InvalidOperationException("Cluster mode needs Storage:Provider=postgres.");
        NodeId = presence.Value.NodeId;
        var searchPath = new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString).SearchPath;
        var schema = string.IsNullOrWhiteSpace(searchPath) ? "public" : searchPath.Split(',')[0].Trim().Trim('"');
        BusChannel = NotifyName("heartline_bus_", schema);
        FloorChannel = NotifyName("heartline_floor_", schema);
    }

    public NpgsqlDataSource DataSource { get; }

    public string NodeId { get; }

    /// <summary>Wake-ups of the bus: <c>{offset} {channel}</c>, never the data.</summary>
    public string BusChannel { get; }

    /// <summary>Floor changes: <c>{epoch} {session_id} {end reason or -} {office}</c>.</summary>
    public string FloorChannel { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it (a transaction that changed nothing commits as
    /// cheaply as it would roll back).
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A NOTIFY channel name: lowercase letters, digits and '_', within PostgreSQL's 63 bytes.</summary>
    private static string NotifyName(string prefix, string schema)
    {
        var name = new StringBuilder(prefix);
        foreach (var ch in schema.ToLowerInvariant()) name.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '_');
        return name.Length > 63 ? name.ToString(0, 63) : name.ToString();
    }
}
