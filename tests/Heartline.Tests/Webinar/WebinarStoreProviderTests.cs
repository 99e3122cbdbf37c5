using Dapper;
using Heartline.Core.Storage;
using Heartline.Webinar;
using Npgsql;
using Heartline.Tests.Storage;

namespace Heartline.Tests.Webinar;

public sealed class SqliteWebinarStoreTests : WebinarStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "heartline-webinar-" + Guid.NewGuid().ToString("N"));

    protected override string Provider => StorageProviders.Sqlite;

    protected override Task<string> CreateStoreAsync() =>
        Task.FromResult($"Data Source={Path.Combine(_directory, "heartline.db")}");

    protected override Task DeleteStoreAsync()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresWebinarStoreTests(PostgresFixture postgres) : WebinarStoreContractTests
{
    protected override string Provider => StorageProviders.Postgres;

    protected override Task<string> CreateStoreAsync() => postgres.CreateSchemaAsync();

    protected override Task DeleteStoreAsync() => postgres.DropSchemaAsync(ConnectionString);

    /// <summary>Nodes share the tables: while one sweeps (holds the sweep lock), another skips its round.</summary>
    [Fact]
    public async Task Sweep_AnotherNodeSweeping_SkipsThisRoundAndSweepsTheNext()
    {
        var w = await CreateWebinarAsync(contentMinutes: 120);
        At(0);
        await TrackAsync(w, Viewer.User("alice"), "stale-tab");
        At(7);

        await using (var otherNode = new NpgsqlConnection(ConnectionString))
        {
            await otherNode.OpenAsync().WaitAsync(Timeout);
            await using var sweeping = await otherNode.BeginTransactionAsync().AsTask().WaitAsync(Timeout);
            Assert.True(await otherNode.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_xact_lock(@Key)",
                new { Key = SqlWebinarStore.SweepLockKey }, sweeping).WaitAsync(Timeout));

            Assert.Equal((0, 0), ((await Sweeper.SweepOnceAsync().WaitAsync(Timeout)) is var r ? (r.Closed, r.Purged) : default));
            Assert.Null((await SessionAsync(w, "stale-tab")).ExitedAt);
        }

        Assert.Equal(1, (await Sweeper.SweepOnceAsync().WaitAsync(Timeout)).Closed);
        Assert.Equal(ClosedReasons.Timeout, (await SessionAsync(w, "stale-tab")).ClosedReason);
    }
}
