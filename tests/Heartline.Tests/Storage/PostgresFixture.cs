using Npgsql;

namespace Heartline.Tests.Storage;

/// <summary>
/// A PostgreSQL database for one test collection: created fresh on the server named by <c>HEARTLINE_TEST_PG</c>
/// (as scripts/postgres.sh prints) or, when that is unset, on a throwaway cluster started here; dropped at the end.
/// Tests take a fresh schema each from <see cref="CreateSchemaAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "HEARTLINE_TEST_PG";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private PostgresCluster? _cluster;
    private string _adminConnectionString = "";
    private string _databaseName = "";

    /// <summary>The fixture's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            _cluster = await PostgresCluster.StartAsync().WaitAsync(Timeout);
            _adminConnectionString = _cluster.ConnectionString;
        }
        else
        {
            _adminConnectionString = external;
        }

        _databaseName = "heartline_test_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(_adminConnectionString, $"CREATE DATABASE {_databaseName}");
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _databaseName }
            .ConnectionString;
    }

    /// <summary>Creates an empty schema and returns a connection string whose search_path is that schema.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(ConnectionString, $"CREATE SCHEMA {schema}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public Task DropSchemaAsync(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath;
        return ExecuteAsync(ConnectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
    }

    public async Task DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            if (_databaseName.Length > 0 && _adminConnectionString.Length > 0)
                await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)");
        }
        finally
        {
            if (_cluster is not null)
                await _cluster.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(Timeout);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Postgres";
}
