using Heartline.Tests.Infrastructure;
using Dapper;
using Heartline.Core.Storage;
using Heartline.Webinar;
using Heartline.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Webinar;

/// <summary>
/// The seed's statistics SQL (its section 7, unchanged but for reading our bigint milliseconds with to_timestamp) as a
/// correctness oracle on PostgreSQL: equal to our union rule while a viewer's sessions do not overlap, and
/// over-counting (even after the seed's section 8 cap) when they do.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SeedOracleTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly long Start = new DateTimeOffset(2026, 2, 5, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private const string SeedSection7 =
        """
        WITH content_window AS (
          SELECT
            to_timestamp(webinar_start_time / 1000.0) as content_from,
            to_timestamp(COALESCE(webinar_actual_end_time, webinar_scheduled_end_time) / 1000.0) as content_to
          FROM webinars
          WHERE id = @Id
        ),
        session_overlaps AS (
          SELECT
            wus.user_id,
            GREATEST(to_timestamp(wus.entered_at / 1000.0), cw.content_from) as overlap_start,
            LEAST(COALESCE(to_timestamp(wus.exited_at / 1000.0), now()), cw.content_to) as overlap_end
          FROM webinar_user_sessions wus
          CROSS JOIN content_window cw
          WHERE wus.webinar_id = @Id
            AND to_timestamp(wus.entered_at / 1000.0) < cw.content_to
            AND COALESCE(to_timestamp(wus.exited_at / 1000.0), now()) > cw.content_from
        )
        SELECT
          user_id,
          SUM(EXTRACT(EPOCH FROM (overlap_end - overlap_start)))::int as watched_seconds
        FROM session_overlaps
        GROUP BY user_id
        """;

    private string _schema = "";
    private PostgresDatabase _database = null!;
    private SqlWebinarStore _store = null!;

    public async Task InitializeAsync()
    {
        _schema = await postgres.CreateSchemaAsync().WaitAsync(Timeout);
        _database = new PostgresDatabase(Options.Create(new StorageOptions { Provider = StorageProviders.Postgres, ConnectionString = _schema }),
            TimeProvider.System, NullLoggerFactory.Instance);
        await _database.MigrateAsync().WaitAsync(Timeout);
        _store = new SqlWebinarStore(_database, NullLogger<SqlWebinarStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync().AsTask().WaitAsync(Timeout);
        await _database.DisposeAsync().AsTask().WaitAsync(Timeout);
        await postgres.DropSchemaAsync(_schema).WaitAsync(Timeout);
    }

    [Fact]
    public async Task SeedQuery_NoOverlappingTabs_AgreesWithUnionStatistics()
    {
        // Ended early (actual end before the scheduled end), so COALESCE matters too.
        var webinar = await CreateWebinarAsync(scheduledMinutes: 60, actualMinutes: 55);
        var random = new Random(4);
        for (var user = 0; user < 60; user++)
        {
            // One to four consecutive sessions per user, from 20 minutes before the start to 20 after the end.
            var at = -20 * 60 + random.Next(0, 40 * 60);
            for (var n = random.Next(1, 5); n > 0 && at < 80 * 60; n--)
            {
                var length = random.Next(1, 30 * 60);
                await InsertAsync(webinar, $"user-{user}", at, at + length);
                at += length + random.Next(0, 15 * 60);
            }
        }

        var seed = await SeedAsync(webinar);
        var ours = await OursAsync(webinar);

        Assert.True(seed.Count > 30, "most users overlap the content window");
        foreach (var (user, seconds) in seed) Assert.Equal(seconds, ours[user]);
        // Users who only came before or after the content are ours with 0 and absent from the seed's result.
        Assert.All(ours.Where(o => !seed.ContainsKey(o.Key)), o => Assert.Equal(0, o.Value));
    }

    [Fact]
    public async Task SeedQuery_OverlappingTabs_OverCountsWhereTheUnionDoesNot()
    {
        var webinar = await CreateWebinarAsync(scheduledMinutes: 60, actualMinutes: null);
        // Tab A 0–40 and tab B 20–50 of one user; a second user watches 10–20 once.
        await InsertAsync(webinar, "two-tabs", 0, 40 * 60);
        await InsertAsync(webinar, "two-tabs", 20 * 60, 50 * 60);
        await InsertAsync(webinar, "one-tab", 10 * 60, 20 * 60);

        var seed = await SeedAsync(webinar);
        var ours = await OursAsync(webinar);

        Assert.Equal(70 * 60, seed["two-tabs"]);
        // The seed's section 8 then caps at the content length: still 60 minutes, not the 50 that were watched.
        Assert.Equal(60 * 60, Math.Min(seed["two-tabs"], 60 * 60));
        Assert.Equal(50 * 60, ours["two-tabs"]);
        Assert.Equal((10 * 60, 10 * 60), (seed["one-tab"], ours["one-tab"]));
    }

    private async Task<WebinarRecord> CreateWebinarAsync(int scheduledMinutes, int? actualMinutes)
    {
        var webinar = new WebinarRecord
        {
            Id = Guid.NewGuid().ToString(),
            Title = "oracle",
            WebinarStartTime = Start,
            WebinarScheduledEndTime = Start + scheduledMinutes * 60_000L,
            WebinarActualEndTime = actualMinutes is { } a ? Start + a * 60_000L : null,
            PostWindowMinutes = 30,
        };
        await _store.CreateWebinarAsync(webinar).WaitAsync(Timeout);
        return webinar;
    }

    private Task InsertAsync(WebinarRecord webinar, string user, int fromSecond, int toSecond) =>
        _database.WriteAsync((c, tx) => c.ExecuteAsync(
            """
            INSERT INTO webinar_user_sessions (id, webinar_id, user_id, viewer_key, session_id, entered_at, exited_at,
                duration_seconds, last_heartbeat_at, last_visible, watched_seconds_raw, visible_content_seconds,
                closed_reason, created_at, updated_at)
            VALUES (@Id, @WebinarId, @User, 'u:' || @User, @Id, @From, @To, @Duration, @To, 1, 0, 0, 'exit', @From, @To)
            """, new
            {
                Id = Guid.NewGuid().ToString(), WebinarId = webinar.Id, User = user,
                From = Start + fromSecond * 1000L, To = Start + toSecond * 1000L, Duration = toSecond - fromSecond,
            }, tx)).WaitAsync(Timeout);

    private async Task<Dictionary<string, int>> SeedAsync(WebinarRecord webinar) =>
        (await _database.ReadAsync(c => c.QueryAsync<(string UserId, int WatchedSeconds)>(SeedSection7, new { webinar.Id }))
            .WaitAsync(Timeout)).ToDictionary(r => r.UserId, r => r.WatchedSeconds);

    private async Task<Dictionary<string, int>> OursAsync(WebinarRecord webinar)
    {
        using var sessions = await _store.ReadStatsSessionsAsync(webinar.Id).WaitAsync(Timeout);
        var totals = WatchStatistics.Compute(webinar, sessions, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 90);
        return totals.Viewers.ToDictionary(v => v.UserId!, v => (int)v.WatchedSeconds);
    }
}
