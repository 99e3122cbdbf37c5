using Dapper;
using Heartline.Core.Events;

namespace Heartline.Tests.Storage;

/// <summary>Newest-first paging of the event log (GET /api/ptt/events?order=desc), on every provider.</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task QueryAsync_Descending_ReturnsNewestFirstWithABeforeCursor()
    {
        for (var i = 0; i < 5; i++)
            EventLog.Enqueue(Event(time: i));
        await EventLog.FlushAsync().WaitAsync(Timeout);

        var page = await EventLog.QueryAsync(new EventQuery(Limit: 3, Descending: true)).WaitAsync(Timeout);

        Assert.Equal([4L, 3L, 2L], page.Items.Select(e => e.Time));
        Assert.True(page.Items[0].Id > page.Items[1].Id && page.Items[1].Id > page.Items[2].Id);
        Assert.Equal(page.Items[^1].Id, page.NextBeforeId);
        Assert.Null(page.NextAfterId);
    }

    [Fact]
    public async Task QueryAsync_PagingDescendingWithBeforeId_VisitsEveryEventOfTheScopeOnce()
    {
        // Another scope's events interleaved with the office's: the cursor must neither skip nor repeat across them.
        for (var i = 0; i < 25; i++)
        {
            EventLog.Enqueue(Event(scope: "office:1", time: i));
            EventLog.Enqueue(Event(scope: "office:2", time: i));
        }
        await EventLog.FlushAsync().WaitAsync(Timeout);

        var seen = new List<long>();
        long? beforeId = null;
        var pages = 0;
        do
        {
            var page = await EventLog.QueryAsync(new EventQuery(Scope: "office:1", Limit: 7, BeforeId: beforeId, Descending: true))
                .WaitAsync(Timeout);
            Assert.All(page.Items, e => Assert.Equal("office:1", e.Scope));
            Assert.Null(page.NextAfterId);
            seen.AddRange(page.Items.Select(e => e.Time));
            beforeId = page.NextBeforeId;
            pages++;
        }
        while (beforeId is not null && pages < 10);

        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => (long)i), seen);
    }

    [Fact]
    public async Task QueryAsync_DescendingWithTypeAndTimeRange_ReturnsTheIntersectionNewestFirst()
    {
        for (var i = 0; i < 10; i++)
            EventLog.Enqueue(Event(scope: "s", type: i % 2 == 0 ? "t" : "u", time: i));
        await EventLog.FlushAsync().WaitAsync(Timeout);

        var page = await EventLog.QueryAsync(new EventQuery(Scope: "s", Type: "t", From: 2, To: 8, Descending: true))
            .WaitAsync(Timeout);

        Assert.Equal([6L, 4L, 2L], page.Items.Select(e => e.Time));
        Assert.Null(page.NextBeforeId);
    }

    [Fact]
    public async Task QueryAsync_Ascending_IsUnchangedAndNeverSetsABeforeCursor()
    {
        for (var i = 0; i < 5; i++)
            EventLog.Enqueue(Event(time: i));
        await EventLog.FlushAsync().WaitAsync(Timeout);

        var page = await EventLog.QueryAsync(new EventQuery(Limit: 3)).WaitAsync(Timeout);

        Assert.Equal([0L, 1L, 2L], page.Items.Select(e => e.Time));
        Assert.Equal(page.Items[^1].Id, page.NextAfterId);
        Assert.Null(page.NextBeforeId);
    }

    [Fact]
    public async Task Migrate_CreatesTheScopeIdIndexForPagingAnOfficeEitherWay()
    {
        var sql = Provider == Heartline.Core.Storage.StorageProviders.Postgres
            ? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'events' AND indexname = 'ix_events_scope_id' AND schemaname = current_schema()"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_events_scope_id'";

        Assert.Equal(1, await Database.ReadAsync(c => c.ExecuteScalarAsync<long>(sql)).WaitAsync(Timeout));
    }
}
