using Dapper;
using Heartline.Server.Storage;

namespace Heartline.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageContractTests(PostgresFixture postgres) : StorageContractTests
{
    protected override string Provider => StorageProviders.Postgres;

    protected override Task<string> CreateStoreAsync() => postgres.CreateSchemaAsync();

    protected override Task DeleteStoreAsync() => postgres.DropSchemaAsync(ConnectionString);

    [Fact]
    public async Task MigrateAsync_SeveralNodesAtOnce_AllSucceedAndApplyEachVersionOnce()
    {
        var schema = await postgres.CreateSchemaAsync().WaitAsync(Timeout);
        try
        {
            var nodes = Enumerable.Range(0, 4).Select(_ => OpenDatabase(schema)).ToArray();

            await Task.WhenAll(nodes.Select(n => n.MigrateAsync())).WaitAsync(Timeout);

            var versions = await nodes[0].ReadAsync(
                c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version")).WaitAsync(Timeout);
            Assert.Equal(Migrations.All.Count, versions);
        }
        finally
        {
            await postgres.DropSchemaAsync(schema).WaitAsync(Timeout);
        }
    }
}
