using Microsoft.Extensions.Time.Testing;
using System.Data.Common;
using Dapper;
using Heartline.Core.Events;
using Heartline.Core.Storage;
using Heartline.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Storage;

/// <summary>
/// A database that is busy for a moment (a backup holding the SQLite file, a PostgreSQL restart) costs the background
/// writers a retry, not the batch; an error that will not pass is not retried.
/// </summary>
public sealed class TransientRetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();
    private SqliteDatabase _database = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "retry.db");
        _database = new SqliteDatabase(Options.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }),
            TimeProvider.System, NullLogger<SqliteDatabase>.Instance);
        await _database.MigrateAsync().WaitAsync(Timeout);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task EventLog_DatabaseBusyTwice_StoresTheBatchOnTheThirdAttempt()
    {
        var flaky = new FlakyDatabase(_database, failures: 2, () => new SqliteException("database is locked", 5));
        await using var log = new SqlEventLog(flaky, Options.Create(new StorageOptions()), _clock, _ => { }, NullLogger<SqlEventLog>.Instance);
        await log.StartingAsync(CancellationToken.None);

        var append = log.AppendAsync(new EventRecord(0, "USER_ONLINE", "office:r1_o1", null, "u1", 1_000, null));
        await AdvanceUntilAsync(() => append.IsCompleted);

        await append.WaitAsync(Timeout);
        Assert.Equal(3, flaky.Attempts);
        Assert.Equal(1, await _database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events")).WaitAsync(Timeout));
    }

    [Fact]
    public async Task EventLog_ErrorThatDoesNotPass_FailsAtOnce()
    {
        var broken = new FlakyDatabase(_database, failures: int.MaxValue, () => new SqliteException("no such table: events", 1));
        await using var log = new SqlEventLog(broken, Options.Create(new StorageOptions()), _clock, _ => { }, NullLogger<SqlEventLog>.Instance);
        await log.StartingAsync(CancellationToken.None);

        await Assert.ThrowsAsync<SqliteException>(() =>
            log.AppendAsync(new EventRecord(0, "USER_ONLINE", "office:r1_o1", null, "u1", 1_000, null)).WaitAsync(Timeout));

        Assert.Equal(1, broken.Attempts);
    }

    [Fact]
    public async Task BackgroundWriter_DatabaseBusyTwice_WritesInOrderOnceItPasses()
    {
        await _database.WriteAsync((c, tx) => c.ExecuteAsync("CREATE TABLE retry_order (n INTEGER NOT NULL)", transaction: tx));
        var flaky = new FlakyDatabase(_database, failures: 2, () => new SqliteException("database is locked", 5));
        var writer = new BackgroundWriter(flaky, _clock, NullLogger<BackgroundWriter>.Instance);
        await writer.StartingAsync(CancellationToken.None);
        try
        {
            for (var n = 1; n <= 3; n++)
            {
                var value = n;
                writer.Enqueue((c, tx) => c.ExecuteAsync("INSERT INTO retry_order (n) VALUES (@value)", new { value }, tx));
            }
            var flushed = writer.FlushAsync();
            await AdvanceUntilAsync(() => flushed.IsCompleted);
            await flushed.WaitAsync(Timeout);

            var rows = await _database.ReadAsync(c => c.QueryAsync<long>("SELECT n FROM retry_order ORDER BY rowid")).WaitAsync(Timeout);
            Assert.Equal([1L, 2L, 3L], rows);
            Assert.Equal(3, flaky.Attempts);
        }
        finally
        {
            await writer.StoppedAsync(CancellationToken.None).WaitAsync(Timeout);
        }
    }

    /// <summary>Moves the manual clock past each retry delay until <paramref name="done"/>, bounded.</summary>
    private async Task AdvanceUntilAsync(Func<bool> done)
    {
        for (var i = 0; i < 500 && !done(); i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }
        Assert.True(done(), "the write did not complete while the clock advanced 500 s");
    }

    private sealed class FlakyDatabase(IHeartlineDatabase inner, int failures, Func<Exception> error) : IHeartlineDatabase
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public string Provider => inner.Provider;

        public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _attempts) <= failures ? Task.FromException<T>(error()) : inner.WriteAsync(work, cancellationToken);

        public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(work, cancellationToken);

        public Task<bool> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
    }
}
