using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Core.Storage;

/// <summary>PostgreSQL through one <see cref="NpgsqlDataSource"/> (and so one pool) for the whole node.</summary>
internal sealed class PostgresDatabase : IHeartlineDatabase, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresDatabase> _logger;

    public PostgresDatabase(
        IOptions<StorageOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var connectionString = options.Value.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'postgres'.");
        _dataSource = new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(loggerFactory).Build();
        _time = time;
        _logger = loggerFactory.CreateLogger<PostgresDatabase>();
    }

    public string Provider => StorageProviders.Postgres;

    /// <summary>The node's one data source, for the cluster module's batches and its LISTEN connection.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    public async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) =>
        DatabaseSteps.PingAsync(this, static ex => ex is NpgsqlException, _logger, cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
