using Heartline.Server.Storage;
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
}
