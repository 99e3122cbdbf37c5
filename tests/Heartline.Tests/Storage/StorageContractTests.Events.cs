using System.Data.Common;
using Dapper;
using Heartline.Core.Events;

namespace Heartline.Tests.Storage;

public abstract partial class StorageContractTests
{
    [Fact]
    public async Task AppendAsync_TwoEvents_AssignsIncreasingIdsAndStoresEveryField()
    {
        var first = Event(sessionId: "s-1", userId: "u-1", metadata: """{"state":"online"}""");
        var second = Event(type: "presence.left", time: 2_000);

        await EventLog.AppendAsync(first).WaitAsync(Timeout);
        await EventLog.AppendAsync(second).WaitAsync(Timeout);

        var page = await EventLog.QueryAsync(new EventQuery()).WaitAsync(Timeout);
        Assert.Equal(2, page.Items.Count);
        Assert.True(page.Items[0].Id > 0);
        Assert.True(page.Items[1].Id > page.Items[0].Id);
        Assert.Equal(first with { Id = page.Items[0].Id }, page.Items[0]);
        Assert.Equal(second with { Id = page.Items[1].Id }, page.Items[1]);
        Assert.Null(page.NextAfterId);
    }

    [Fact]
    public async Task Enqueue_ThenFlushAsync_EventsAreQueryable()
    {
        for (var i = 0; i < 10; i++)
            EventLog.Enqueue(Event(time: i));

        await EventLog.FlushAsync().WaitAsync(Timeout);

        var page = await EventLog.QueryAsync(new EventQuery()).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), page.Items.Select(e => e.Time));
    }

    [Fact]
    public async Task QueryAsync_ByScope_ReturnsOnlyThatScope()
    {
        await AppendAllAsync(Event(scope: "office:1"), Event(scope: "webinar:42"), Event(scope: "office:1"));

        var page = await EventLog.QueryAsync(new EventQuery(Scope: "office:1")).WaitAsync(Timeout);

        Assert.Equal(2, page.Items.Count);
        Assert.All(page.Items, e => Assert.Equal("office:1", e.Scope));
    }

    [Fact]
    public async Task QueryAsync_ByType_ReturnsOnlyThatType()
    {
        await AppendAllAsync(Event(type: "a"), Event(type: "b"), Event(type: "a", scope: "office:2"));

        var page = await EventLog.QueryAsync(new EventQuery(Type: "a")).WaitAsync(Timeout);

        Assert.Equal(2, page.Items.Count);
        Assert.All(page.Items, e => Assert.Equal("a", e.Type));
    }

    [Fact]
    public async Task QueryAsync_ByTimeRange_IncludesFromAndExcludesTo()
    {
        await AppendAllAsync(Event(time: 99), Event(time: 100), Event(time: 150), Event(time: 200));

        var page = await EventLog.QueryAsync(new EventQuery(From: 100, To: 200)).WaitAsync(Timeout);

        Assert.Equal([100L, 150L], page.Items.Select(e => e.Time));
    }

    [Fact]
    public async Task QueryAsync_AllFiltersTogether_ReturnsTheIntersection()
    {
        await AppendAllAsync(
            Event(scope: "s", type: "t", time: 10), Event(scope: "s", type: "u", time: 10),
            Event(scope: "x", type: "t", time: 10), Event(scope: "s", type: "t", time: 50));

        var page = await EventLog.QueryAsync(new EventQuery(Scope: "s", Type: "t", From: 0, To: 20))
            .WaitAsync(Timeout);

        var only = Assert.Single(page.Items);
        Assert.Equal(("s", "t", 10L), (only.Scope, only.Type, only.Time));
    }

    [Fact]
    public async Task QueryAsync_PagingWithAfterId_VisitsEveryEventOnce()
    {
        await AppendAllAsync(Enumerable.Range(0, 25).Select(i => Event(time: i)).ToArray());

        var seen = new List<long>();
        long? afterId = null;
        var pages = 0;
        do
        {
            var page = await EventLog.QueryAsync(new EventQuery(AfterId: afterId, Limit: 7)).WaitAsync(Timeout);
            seen.AddRange(page.Items.Select(e => e.Time));
            afterId = page.NextAfterId;
            pages++;
        }
        while (afterId is not null && pages < 10);

        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task QueryAsync_LimitOutOfRange_IsClampedToOneThroughAThousand()
    {
        for (var i = 0; i < 1_001; i++)
            EventLog.Enqueue(Event(time: i));
        await EventLog.FlushAsync().WaitAsync(Timeout);

        var tooSmall = await EventLog.QueryAsync(new EventQuery(Limit: 0)).WaitAsync(Timeout);
        var tooLarge = await EventLog.QueryAsync(new EventQuery(Limit: 5_000)).WaitAsync(Timeout);

        Assert.Single(tooSmall.Items);
        Assert.Equal(tooSmall.Items[0].Id, tooSmall.NextAfterId);
        Assert.Equal(1_000, tooLarge.Items.Count);
        Assert.Equal(tooLarge.Items[^1].Id, tooLarge.NextAfterId);
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentCallers_AllStoredInFewerTransactions()
    {
        const int tasks = 50, perTask = 40;
        var batchesBefore = EventLog.BatchesWritten;

        var appenders = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < perTask; i++)
                await EventLog.AppendAsync(Event(scope: $"task:{t}", time: i));
        }));
        await Task.WhenAll(appenders).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(tasks * perTask, await CountAsync("events"));
        var distinct = await Database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT DISTINCT scope, time FROM events) AS d")).WaitAsync(Timeout);
        Assert.Equal(tasks * perTask, distinct);
        Assert.InRange(EventLog.BatchesWritten - batchesBefore, 1, tasks * perTask - 1);
    }

    [Fact]
    public async Task AppendAsync_DatabaseFails_FailsTheCallerAndTheWriterRecovers()
    {
        await Database.WriteAsync((c, tx) => c.ExecuteAsync("ALTER TABLE events RENAME TO events_away", transaction: tx))
            .WaitAsync(Timeout);

        await Assert.ThrowsAnyAsync<DbException>(() => EventLog.AppendAsync(Event()).WaitAsync(Timeout));

        await Database.WriteAsync((c, tx) => c.ExecuteAsync("ALTER TABLE events_away RENAME TO events", transaction: tx))
            .WaitAsync(Timeout);
        await EventLog.AppendAsync(Event(type: "after")).WaitAsync(Timeout);
        var stored = Assert.Single((await EventLog.QueryAsync(new EventQuery()).WaitAsync(Timeout)).Items);
        Assert.Equal("after", stored.Type);
    }

    [Fact]
    public async Task AppendAsync_AfterStop_Throws()
    {
        await EventLog.StoppedAsync(CancellationToken.None).WaitAsync(Timeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => EventLog.AppendAsync(Event()).WaitAsync(Timeout));
    }

    [Fact]
    public async Task DisposeAsync_WithEnqueuedEvents_CommitsThemFirst()
    {
        var log = await StartEventLogAsync(Database);
        for (var i = 0; i < 300; i++)
            log.Enqueue(Event(time: i));

        await log.DisposeAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal(300, await CountAsync("events"));
    }

    [Fact]
    public async Task Reopen_AfterDisposingLogAndDatabase_EventsSurvive()
    {
        var database = OpenDatabase();
        var log = await StartEventLogAsync(database);
        await log.AppendAsync(Event(type: "durable")).WaitAsync(Timeout);
        log.Enqueue(Event(type: "queued"));
        await log.DisposeAsync().AsTask().WaitAsync(Timeout);
        await ((IAsyncDisposable)database).DisposeAsync().AsTask().WaitAsync(Timeout);

        var reopened = await StartEventLogAsync(OpenDatabase());
        var page = await reopened.QueryAsync(new EventQuery()).WaitAsync(Timeout);

        Assert.Equal(["durable", "queued"], page.Items.Select(e => e.Type));
    }

    private async Task AppendAllAsync(params EventRecord[] records)
    {
        foreach (var record in records)
            await EventLog.AppendAsync(record).WaitAsync(Timeout);
    }
}
