using Dapper;
using Heartline.Core.Storage;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageContractTests(PostgresFixture postgres) : StorageContractTests
{
    protected override string Provider => StorageProviders.Postgres;

    protected override Task<string> CreateStoreAsync() => postgres.CreateSchemaAsync();

    protected override Task DeleteStoreAsync() => postgres.DropSchemaAsync(ConnectionString);

    /// <summary>
    /// Event batches of different nodes take their ids one after another, each after the previous one committed, so
    /// ids follow commit order and paging with <c>after</c> cannot skip a batch that commits late.
    /// </summary>
    [Fact]
    public async Task EventBatch_WaitsForAnotherNodesBatchToCommit_BeforeTakingIds()
    {
        var otherNode = OpenDatabase();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = otherNode.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("SELECT pg_advisory_xact_lock(@Key)", new { Key = Heartline.Core.Events.SqlEventLog.IdOrderLockKey }, tx);
            holding.SetResult();
            await release.Task;
            return 0;
        });
        await holding.Task.WaitAsync(Timeout);

        var append = EventLog.AppendAsync(Event(type: "late"));
        // Nothing can be awaited for "still waiting": give a batch that ignored the lock a bounded chance to commit.
        Assert.NotSame(append, await Task.WhenAny(append, Task.Delay(TimeSpan.FromMilliseconds(500))));
        release.SetResult();
        await other.WaitAsync(Timeout);
        await append.WaitAsync(Timeout);

        Assert.Equal(1, await CountAsync("events"));
    }

    [Fact]
    public async Task MigrateAsync_SeveralNodesAtOnce_AllSucceedAndApplyEachVersionOnce()
    {
        var schema = await postgres.CreateSchemaAsync().WaitAsync(Timeout);
        try
        {
            var nodes = Enumerable.Range(0, 4).Select(_ => OpenDatabase(schema)).ToArray();

            await Task.WhenAll(nodes.Select(n => n.MigrateAsync())).WaitAsync(Timeout);

            var versions = await nodes[0].ReadAsync(
                c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations")).WaitAsync(Timeout);
            Assert.Equal(TestSchema.StepCount, versions);
        }
        finally
        {
            await postgres.DropSchemaAsync(schema).WaitAsync(Timeout);
        }
    }
}
