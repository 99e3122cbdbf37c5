using System.Text;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>
/// The PostgreSQL side of cluster mode: the node's data source, its id, and the names of its NOTIFY channels.
/// The names carry the schema, so clusters that share a database in different schemas never wake each other.
/// </summary>
internal sealed class ClusterDatabase
{
    public ClusterDatabase(IHeartlineDatabase database, IOptions<PresenceOptions> presence)
    {
        DataSource = (database as PostgresDatabase)?.DataSource
            ?? throw new InvalidOperationException("Cluster mode needs Storage:Provider=postgres.");
        NodeId = presence.Value.NodeId;
        // The schema the tables are in, as PostgreSQL resolves it (connection string, role or database search_path,
        // "$user"), not as the connection string spells it: two clusters whose schemas come from their roles must not
        // share channel names.
        using (var connection = DataSource.OpenConnection())
        using (var command = new NpgsqlCommand("SELECT current_schema()", connection))
            Schema = command.ExecuteScalar() as string ?? "public";
        BusChannel = NotifyName("heartline_bus_", Schema);
        LeaseChannel = NotifyName("heartline_lease_", Schema);
    }

    public NpgsqlDataSource DataSource { get; }

    public string NodeId { get; }

    /// <summary>The schema of the cluster's tables (<c>current_schema()</c>).</summary>
    public string Schema { get; }

    /// <summary>Wake-ups of the bus: <c>{offset} {channel}</c>, never the data.</summary>
    public string BusChannel { get; }

    /// <summary>Lease changes (<see cref="PostgresLeases"/>).</summary>
    public string LeaseChannel { get; }

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

    /// <summary>
    /// A NOTIFY channel name: lowercase letters, digits and '_', within PostgreSQL's 63 bytes. Schema names that differ
    /// only in other characters, or beyond what fits, get a hash of the exact name so they stay apart.
    /// </summary>
    internal static string NotifyName(string prefix, string schema)
    {
        var name = new StringBuilder(prefix);
        var exact = true;
        foreach (var ch in schema)
        {
            var keep = char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_';
            exact &= keep;
            name.Append(keep ? ch : '_');
        }
        if (exact && name.Length <= 63) return name.ToString();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(schema)))[..12];
        return name.ToString(0, Math.Min(name.Length, 63 - 13)) + "_" + hash;
    }
}
