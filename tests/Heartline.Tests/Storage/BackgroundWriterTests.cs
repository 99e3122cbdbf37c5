using Dapper;
using Heartline.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Storage;

/// <summary>
/// A flush waits for the writes queued before it, not for those queued after it: a press reply waits for its session
/// row, not for the hundreds of listener rows queued behind it.
/// </summary>
public sealed class BackgroundWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private SqliteDatabase _database = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "writer.db");
        _database = new SqliteDatabase(Options.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }),
            TimeProvider.System, NullLogger<SqliteDatabase>.Instance);
        await _database.WriteAsync((c, tx) => c.ExecuteAsync("CREATE TABLE writer_order (n INTEGER NOT NULL)", transaction: tx));
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task FlushAsync_CompletesWithTheWritesBeforeIt_WhileALaterWriteIsStillRunning()
    {
        var writer = new BackgroundWriter(_database, TimeProvider.System, NullLogger<BackgroundWriter>.Instance);
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Everything queued before the writer starts, so it finds all three at once and could take them as one batch.
        writer.Enqueue((c, tx) => c.ExecuteAsync("INSERT INTO writer_order (n) VALUES (1)", transaction: tx));
        var flushed = writer.FlushAsync();
        writer.Enqueue(async (c, tx) =>
        {
            laterStarted.TrySetResult();
            await later.Task.WaitAsync(Timeout);
            await c.ExecuteAsync("INSERT INTO writer_order (n) VALUES (2)", transaction: tx);
        });
        await writer.StartingAsync(CancellationToken.None);
        try
        {
            await flushed.WaitAsync(Timeout);

            Assert.False(later.Task.IsCompleted);
            Assert.Equal([1L], await _database.ReadAsync(c => c.QueryAsync<long>("SELECT n FROM writer_order ORDER BY rowid")).WaitAsync(Timeout));
            await laterStarted.Task.WaitAsync(Timeout);
        }
        finally
        {
            later.TrySetResult();
            await writer.StoppedAsync(CancellationToken.None).WaitAsync(Timeout);
        }
        Assert.Equal([1L, 2L], await _database.ReadAsync(c => c.QueryAsync<long>("SELECT n FROM writer_order ORDER BY rowid")).WaitAsync(Timeout));
    }
}
