using Heartline.Tests.Infrastructure;
using Dapper;
using Heartline.Core.Events;
using Heartline.Core.Storage;

namespace Heartline.Tests.Storage;

public sealed class SqliteStorageContractTests : StorageContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "heartline-tests-" + Guid.NewGuid().ToString("N"));

    protected override string Provider => StorageProviders.Sqlite;

    // A folder that does not exist yet: opening the database must create it.
    protected override Task<string> CreateStoreAsync() =>
        Task.FromResult($"Data Source={Path.Combine(_directory, "data", "heartline.db")}");

    protected override Task DeleteStoreAsync()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Open_DataSourceInMissingFolder_CreatesTheFolderAndFile()
    {
        Assert.True(File.Exists(Path.Combine(_directory, "data", "heartline.db")));
    }

    [Fact]
    public async Task WriteConnection_AfterOpen_UsesWalNormalSyncForeignKeysAndBusyTimeout()
    {
        var pragmas = await Database.WriteAsync(async (c, tx) => (
            JournalMode: await c.ExecuteScalarAsync<string>("PRAGMA journal_mode", transaction: tx),
            Synchronous: await c.ExecuteScalarAsync<long>("PRAGMA synchronous", transaction: tx),
            ForeignKeys: await c.ExecuteScalarAsync<long>("PRAGMA foreign_keys", transaction: tx),
            BusyTimeout: await c.ExecuteScalarAsync<long>("PRAGMA busy_timeout", transaction: tx))).WaitAsync(Timeout);

        Assert.Equal(("wal", 1L, 1L), (pragmas.JournalMode, pragmas.Synchronous, pragmas.ForeignKeys));
        Assert.True(pragmas.BusyTimeout > 0);
    }

    [Theory]
    [InlineData("ORDER BY id DESC")]
    [InlineData("AND id < 100 ORDER BY id DESC")]
    [InlineData("AND type = 'SESSION_STARTED' ORDER BY id DESC")]
    [InlineData("ORDER BY id")]
    public async Task QueryPlan_AnOfficesEventsById_ReadsTheScopeIdIndexWithoutSorting(string rest)
    {
        // Without ix_events_scope_id SQLite scans the whole table in id order and filters by scope.
        var rows = await Database.ReadAsync(c => c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            $"EXPLAIN QUERY PLAN SELECT * FROM events WHERE scope = 'r1_o1' {rest} LIMIT 101")).WaitAsync(Timeout);
        var plan = string.Join("\n", rows.Select(r => r.Detail));

        Assert.Contains("USING INDEX ix_events_scope_id (scope=?", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }

    [Fact]
    public async Task SharedInMemoryDatabase_AppendThenQuery_ReadsSeeWrites()
    {
        var database = OpenDatabase($"Data Source=heartline-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");
        await database.MigrateAsync().WaitAsync(Timeout);
        var log = await StartEventLogAsync(database);

        await log.AppendAsync(Event(type: "in-memory")).WaitAsync(Timeout);

        var page = await log.QueryAsync(new EventQuery()).WaitAsync(Timeout);
        Assert.Equal("in-memory", Assert.Single(page.Items).Type);
    }
}
