using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Storage;

/// <summary>
/// SQLite: every write goes through one long-lived connection behind a semaphore, because SQLite has a single writer
/// and competing writer connections fall back to its sleep-and-retry busy handler. Reads use pooled connections of
/// their own, which WAL lets run beside the writer.
/// </summary>
internal sealed class SqliteDatabase : IHeartlineDatabase, IAsyncDisposable, IDisposable
{
    public const string DefaultConnectionString = "Data Source=data/heartline.db";

    /// <summary>How long a statement waits for a lock (a checkpoint, another process) before failing.</summary>
    private const int BusyTimeoutMs = 5_000;

    private readonly string _connectionString;
    private readonly string _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteDatabase> _logger;
    [SuppressMessage("Usage", "CA2213", Justification = "A write racing disposal must find the lock, not an ObjectDisposedException; it never allocates a wait handle.")]
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private bool _disposed;

    public SqliteDatabase(IOptions<StorageOptions> options, TimeProvider time, ILogger<SqliteDatabase> logger)
    {
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString ?? DefaultConnectionString)
        {
            ForeignKeys = true,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        _dataSource = builder.DataSource;
        _time = time;
        _logger = logger;
        if (!IsInMemory(builder))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
        }
    }

    public string Provider => StorageProviders.Sqlite;

    [SuppressMessage("Performance", "CA1849", Justification = "Microsoft.Data.Sqlite runs its async transaction calls synchronously; BEGIN IMMEDIATE has no async overload.")]
    public async Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = OpenWriter();
            // BEGIN IMMEDIATE: take the write lock now rather than upgrading a read lock midway.
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync($"PRAGMA busy_timeout = {BusyTimeoutMs}").ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) =>
        DatabaseSteps.PingAsync(this, static ex => ex is SqliteException or IOException, _logger, cancellationToken);

    /// <summary>Opens the writer on first use. Caller holds <see cref="_writeLock"/>.</summary>
    private SqliteConnection OpenWriter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
            return _writer;

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // WAL is stored in the file; synchronous=NORMAL in WAL mode survives a process crash (our promise) and
            // only risks the last commits on power loss, for far fewer fsyncs than FULL.
            var journalMode = connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL") ?? "unknown";
            connection.Execute($"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMs};");
            StorageLog.SqliteOpened(_logger, _dataSource, journalMode);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return _writer = connection;
    }

    private static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory
        || builder.DataSource is "" or ":memory:"
        || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        // Wait for a running write so its transaction commits before the connection closes.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
            // Pooled readers keep the file open (and its -wal/-shm files around) until the pool lets them go.
            using var pooled = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
