using Heartline.Tests.Storage;

namespace Heartline.Tests.Webinar;

public sealed class SqliteWebinarApiTests : WebinarApiTests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresWebinarApiTests(PostgresFixture postgres) : WebinarApiTests
{
    private string _schema = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        return new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = _schema };
    }

    protected override Task CleanUpAsync() => _schema.Length == 0 ? Task.CompletedTask : postgres.DropSchemaAsync(_schema);
}
