using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;
using Heartline.Core.Operations;
using Heartline.Core.Storage;
using Heartline.Webinar;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Webinar;

/// <summary>
/// What the webinar store must do on every provider, driven through the tracker and the sweeper on a manual clock.
/// Each test gets a fresh, migrated database from the subclass.
/// </summary>
public abstract partial class WebinarStoreContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    protected static readonly DateTimeOffset Start = new(2026, 2, 5, 10, 0, 0, TimeSpan.Zero);

    private static readonly ClientDetails Client = new("Mozilla/5.0", "https://example.test/", "127.0.0.1");
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly LogRecorder _logs = new();
    private readonly Microsoft.Extensions.Logging.ILoggerFactory _loggers;
    private IAsyncDisposable? _database;

    protected WebinarStoreContractTests() => _loggers = new Microsoft.Extensions.Logging.LoggerFactory([_logs]);

    protected abstract Task<string> CreateStoreAsync();

    protected abstract Task DeleteStoreAsync();

    protected abstract string Provider { get; }

    protected string ConnectionString { get; private set; } = "";

    /// <summary>Starts 30 minutes before the webinar.</summary>
    private protected FakeTimeProvider Clock { get; } = new(Start.AddMinutes(-30));

    private protected WebinarOptions Options { get; } = new();

    private protected IHeartlineDatabase Database { get; private set; } = null!;

    private protected SqlWebinarStore Store { get; private set; } = null!;

    private protected WebinarTracker Tracker { get; private set; } = null!;

    private protected WebinarSessionSweeper Sweeper { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateStoreAsync().WaitAsync(Timeout);
        var options = Microsoft.Extensions.Options.Options.Create(new StorageOptions { Provider = Provider, ConnectionString = ConnectionString });
        Database = Provider == StorageProviders.Postgres
            ? new PostgresDatabase(options, TimeProvider.System, NullLoggerFactory.Instance)
            : new SqliteDatabase(options, TimeProvider.System, NullLogger<SqliteDatabase>.Instance);
        _database = (IAsyncDisposable)Database;
        await Database.MigrateAsync().WaitAsync(Timeout);
        Store = new SqlWebinarStore(Database, _loggers.CreateLogger<SqlWebinarStore>());
        var meters = _metrics.GetRequiredService<IMeterFactory>();
        var webinarMetrics = new WebinarMetrics(meters);
        Tracker = new WebinarTracker(Store, Microsoft.Extensions.Options.Options.Create(Options), Clock, webinarMetrics,
            NullLogger<WebinarTracker>.Instance);
        Sweeper = new WebinarSessionSweeper(Store, Microsoft.Extensions.Options.Options.Create(Options), Clock,
            webinarMetrics, NullLogger<WebinarSessionSweeper>.Instance);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync().AsTask().WaitAsync(Timeout);
        // A warning here means a heartbeat batch failed and was redone one write at a time: the batch path is broken.
        Assert.Empty(_logs.Entries.Select(e => e.Message + " " + e.Exception));
        _loggers.Dispose();
        if (_database is not null) await _database.DisposeAsync().AsTask().WaitAsync(Timeout);
        await _metrics.DisposeAsync();
        await DeleteStoreAsync().WaitAsync(Timeout);
    }

    private protected async Task<WebinarRecord> CreateWebinarAsync(int contentMinutes = 60, int postWindowMinutes = 30)
    {
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var webinar = new WebinarRecord
        {
            Id = Guid.NewGuid().ToString(),
            Title = "정산 설명회",
            WebinarStartTime = Start.ToUnixTimeMilliseconds(),
            WebinarScheduledEndTime = Start.AddMinutes(contentMinutes).ToUnixTimeMilliseconds(),
            PostWindowMinutes = postWindowMinutes,
            AgencyId = "agency-1",
            CreatedAt = now,
            UpdatedAt = now,
        };
        await Store.CreateWebinarAsync(webinar).WaitAsync(Timeout);
        return webinar;
    }

    private protected void At(double minutesFromStart)
    {
        var target = Start.AddMinutes(minutesFromStart);
        var by = target - Clock.GetUtcNow();
        Assert.True(by >= TimeSpan.Zero, "the clock only moves forward");
        Clock.Advance(by);
    }

    private protected Task<SessionChangeResult> TrackAsync(WebinarRecord w, Viewer viewer, string key, bool visible = true) =>
        Tracker.TrackAsync(w.Id, viewer, key, visible, Client).WaitAsync(Timeout);

    private protected Task<SessionChangeResult> PingAsync(WebinarRecord w, Viewer viewer, string key, bool visible = true) =>
        Tracker.PingAsync(w.Id, viewer, key, visible, Client).WaitAsync(Timeout);

    private protected Task<SessionChangeResult> ExitAsync(WebinarRecord w, Viewer viewer, string key) =>
        Tracker.ExitAsync(w.Id, viewer, key).WaitAsync(Timeout);

    private protected async Task<SessionRow> SessionAsync(WebinarRecord w, string key) =>
        (await Store.GetSessionAsync(w.Id, key).WaitAsync(Timeout))!;

    private protected Task<WebinarStatistics?> StatsAsync(WebinarRecord w) => Tracker.StatisticsAsync(w.Id).WaitAsync(Timeout);
}
