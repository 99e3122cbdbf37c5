using Dapper;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Storage;

/// <summary>
/// What every storage provider must do. Each test gets a fresh, migrated database from the subclass, a started event
/// log and a connection store on it.
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>A connection string to a fresh, empty database (or schema) owned by this test.</summary>
    protected abstract Task<string> CreateStoreAsync();

    /// <summary>Deletes what <see cref="CreateStoreAsync"/> made, after everything on it is disposed.</summary>
    protected abstract Task DeleteStoreAsync();

    protected abstract string Provider { get; }

    protected string ConnectionString { get; private set; } = "";

    private protected IHeartlineDatabase Database { get; private set; } = null!;

    private protected SqlEventLog EventLog { get; private set; } = null!;

    private protected SqlConnectionStore Connections { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateStoreAsync().WaitAsync(Timeout);
        Database = OpenDatabase();
        await Database.MigrateAsync().WaitAsync(Timeout);
        EventLog = await StartEventLogAsync(Database);
        Connections = new SqlConnectionStore(Database);
    }

    public async Task DisposeAsync()
    {
        // Last opened, first closed: event logs drain into their database before it closes.
        for (var i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync().AsTask().WaitAsync(Timeout);
        await DeleteStoreAsync().WaitAsync(Timeout);
    }

    /// <summary>Opens another database object on this test's store; disposed at the end of the test.</summary>
    private protected IHeartlineDatabase OpenDatabase(string? connectionString = null)
    {
        var options = Options.Create(new StorageOptions
        {
            Provider = Provider,
            ConnectionString = connectionString ?? ConnectionString,
        });
        IHeartlineDatabase database = Provider == StorageProviders.Postgres
            ? new PostgresDatabase(options, TimeProvider.System, NullLoggerFactory.Instance)
            : new SqliteDatabase(options, TimeProvider.System, NullLogger<SqliteDatabase>.Instance);
        _owned.Add((IAsyncDisposable)database);
        return database;
    }

    private protected async Task<SqlEventLog> StartEventLogAsync(IHeartlineDatabase database)
    {
        var log = new SqlEventLog(database, Options.Create(new StorageOptions()), TimeProvider.System, _ => { },
            NullLogger<SqlEventLog>.Instance);
        _owned.Add(log);
        await log.StartingAsync(CancellationToken.None).WaitAsync(Timeout);
        return log;
    }

    private protected Task<long> CountAsync(string table) =>
        Database.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")).WaitAsync(Timeout);

    [Fact]
    public async Task MigrateAsync_RunTwice_IsNoOp()
    {
        await EventLog.AppendAsync(Event()).WaitAsync(Timeout);

        await Database.MigrateAsync().WaitAsync(Timeout);
        await OpenDatabase().MigrateAsync().WaitAsync(Timeout);

        Assert.Equal(TestSchema.StepCount, await CountAsync("schema_migrations"));
        Assert.Equal(1, await CountAsync("events"));
    }

    [Fact]
    public async Task MigrateAsync_SchemaNewerThanCode_FailsNamingTheModuleAndBothSteps()
    {
        var known = PttMigrations.All.Length;
        await Database.WriteAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO schema_migrations (module, version, description, applied_at) VALUES ('ptt', @future, 'from the future', 0)",
            new { future = known + 1 }, tx)).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => OpenDatabase().MigrateAsync().WaitAsync(Timeout));

        Assert.Contains($"step {known + 1} of module 'ptt', newer than step {known}", error.Message);
    }

    [Fact]
    public async Task PingAsync_MigratedDatabase_ReturnsTrue()
    {
        Assert.True(await Database.PingAsync().WaitAsync(Timeout));
    }

    private protected static EventRecord Event(
        string scope = "office:1", string type = "presence.changed", long time = 1_000, string? sessionId = null,
        string? userId = null, string? metadata = null) =>
        new(0, type, scope, sessionId, userId, time, metadata);
}
