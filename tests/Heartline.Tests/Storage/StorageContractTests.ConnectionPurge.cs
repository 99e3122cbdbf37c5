using Microsoft.Extensions.Time.Testing;
using Heartline.Ptt;
using Heartline.Core.Storage;
using Dapper;
using Heartline.Core.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Storage;

/// <summary>The retention purge of ended connections: the store's bounded delete and the sweeper's schedule on a manual clock.</summary>
public abstract partial class StorageContractTests
{
    private static readonly DateTimeOffset PurgeStart = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PurgeEndedAsync_EndedBeforeTheCutoff_AreDeleted_RecentEndedAndOpenStay()
    {
        await AddEndedAsync("old-1", endedAt: 1_000);
        await AddEndedAsync("old-2", endedAt: 4_999);
        await AddEndedAsync("at-cutoff", endedAt: 5_000);
        await AddEndedAsync("recent", endedAt: 9_000);
        await Connections.AddAsync(Connection("open", connectedAt: 1)).WaitAsync(Timeout);

        var deleted = await Connections.PurgeEndedAsync(5_000, limit: 100).WaitAsync(Timeout);

        Assert.Equal(2, deleted);
        Assert.Equal(["at-cutoff", "open", "recent"], await ConnectionIdsAsync());
        Assert.Equal(["open"], (await Connections.ListOpenAsync("node-a").WaitAsync(Timeout)).Select(c => c.ConnectionId));
    }

    [Fact]
    public async Task PurgeEndedAsync_ActionsLeftBehindByConnectionsNoLongerOpen_AreDeletedAfterTheRetention()
    {
        await AddEndedAsync("ended", endedAt: 1_000);
        await Connections.AddAsync(Connection("open", connectedAt: 1)).WaitAsync(Timeout);
        // A removal that lost the race with its insert leaves the action of an ended connection behind.
        await Connections.AddActionAsync(new DisconnectActionRecord("a-ended-old", "ended", "k", "{}", 900)).WaitAsync(Timeout);
        await Connections.AddActionAsync(new DisconnectActionRecord("a-ended-new", "ended", "k", "{}", 9_000)).WaitAsync(Timeout);
        await Connections.AddActionAsync(new DisconnectActionRecord("a-open", "open", "k", "{}", 900)).WaitAsync(Timeout);

        await Connections.PurgeEndedAsync(5_000, limit: 100).WaitAsync(Timeout);

        Assert.Equal(["a-ended-new"], (await Connections.ListActionsAsync("ended").WaitAsync(Timeout)).Select(a => a.ActionId));
        Assert.Equal(["a-open"], (await Connections.ListActionsAsync("open").WaitAsync(Timeout)).Select(a => a.ActionId));
    }

    [Fact]
    public async Task PurgeEndedAsync_MoreDueThanTheLimit_DeletesAtMostTheLimitPerCall()
    {
        for (var i = 0; i < 5; i++) await AddEndedAsync($"old-{i}", endedAt: 1_000 + i);
        await Connections.AddAsync(Connection("open")).WaitAsync(Timeout);

        Assert.Equal(2, await Connections.PurgeEndedAsync(10_000, limit: 2).WaitAsync(Timeout));
        Assert.Equal(4, await CountAsync("connections"));
        Assert.Equal(2, await Connections.PurgeEndedAsync(10_000, limit: 2).WaitAsync(Timeout));
        Assert.Equal(1, await Connections.PurgeEndedAsync(10_000, limit: 2).WaitAsync(Timeout));
        Assert.Equal(0, await Connections.PurgeEndedAsync(10_000, limit: 2).WaitAsync(Timeout));
        Assert.Equal(["open"], await ConnectionIdsAsync());
    }

    [Fact]
    public async Task PurgeEndedAsync_EndedConnectionOfAnOpenPttParticipant_IsPurged_AndPttClosesTheParticipantItself()
    {
        // The core knows no module's rows: push-to-talk's stale sweep closes a participant whose connection row is gone.
        await AddEndedAsync("still-participant", endedAt: 1_000);
        await AddEndedAsync("left-participant", endedAt: 1_000);
        await AddParticipantAsync("still-participant", leftAt: null);
        await AddParticipantAsync("left-participant", leftAt: 1_000);

        Assert.Equal(2, await Connections.PurgeEndedAsync(10_000, limit: 100).WaitAsync(Timeout));
        Assert.Empty(await ConnectionIdsAsync());

        var writer = new BackgroundWriter(Database, TimeProvider.System, NullLogger<BackgroundWriter>.Instance);
        await writer.StartingAsync(CancellationToken.None).WaitAsync(Timeout);
        try
        {
            Assert.Equal(1, await new PttStore(Database, writer).CloseOrphanedParticipantsAsync(20_000).WaitAsync(Timeout));
        }
        finally
        {
            await writer.StoppedAsync(CancellationToken.None).WaitAsync(Timeout);
        }
        var left = await Database.ReadAsync(c => c.QuerySingleAsync<(long LeftAt, string Reason)>(
            "SELECT left_at, left_reason FROM ptt_participants WHERE connection_id = 'still-participant'")).WaitAsync(Timeout);
        Assert.Equal((20_000L, "disconnected"), left);
    }

    [Fact]
    public async Task EndedConnectionPurge_ManualClock_DeletesRowsOnlyOnceTheyAreOlderThanTheRetention()
    {
        var clock = new FakeTimeProvider(PurgeStart);
        var purge = NewPurge(clock, retentionHours: 168);
        await AddEndedAsync("eight-days", endedAt: Ms(PurgeStart.AddDays(-8)));
        await AddEndedAsync("six-days", endedAt: Ms(PurgeStart.AddDays(-6)));
        await Connections.AddAsync(Connection("open-for-a-month", connectedAt: Ms(PurgeStart.AddDays(-30)))).WaitAsync(Timeout);

        Assert.Equal(1, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Equal(["open-for-a-month", "six-days"], await ConnectionIdsAsync());

        // Twenty minutes before the six-day row turns seven days old: due (the interval has passed), nothing to delete.
        clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(20));
        Assert.Equal(0, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Equal(["open-for-a-month", "six-days"], await ConnectionIdsAsync());
        clock.Advance(EndedConnectionPurge.Interval + TimeSpan.FromMinutes(11));
        Assert.Equal(1, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Equal(["open-for-a-month"], await ConnectionIdsAsync());
    }

    [Fact]
    public async Task EndedConnectionPurge_FullBatch_TakesTheNextBatchOnTheNextSweep_ThenRestsForTheInterval()
    {
        var clock = new FakeTimeProvider(PurgeStart);
        var purge = NewPurge(clock, retentionHours: 1, batchSize: 2);
        for (var i = 0; i < 5; i++) await AddEndedAsync($"old-{i}", endedAt: Ms(PurgeStart.AddHours(-2)) + i);

        Assert.Equal(2, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Equal(2, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Equal(1, await purge.RunIfDueAsync().WaitAsync(Timeout));
        await AddEndedAsync("late", endedAt: Ms(PurgeStart.AddHours(-2)));

        Assert.Equal(0, await purge.RunIfDueAsync().WaitAsync(Timeout));
        clock.Advance(EndedConnectionPurge.Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await purge.RunIfDueAsync().WaitAsync(Timeout));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await purge.RunIfDueAsync().WaitAsync(Timeout));
        Assert.Empty(await ConnectionIdsAsync());
    }

    private EndedConnectionPurge NewPurge(TimeProvider clock, int retentionHours, int batchSize = EndedConnectionPurge.DefaultBatchSize) =>
        new(Connections, Options.Create(new PresenceOptions { EndedConnectionRetentionHours = retentionHours }), clock,
            NullLogger<EndedConnectionPurge>.Instance) { BatchSize = batchSize };

    private async Task AddEndedAsync(string id, long endedAt)
    {
        await Connections.AddAsync(Connection(id, connectedAt: endedAt - 60_000)).WaitAsync(Timeout);
        await Connections.EndAsync(id, endedAt, "closed").WaitAsync(Timeout);
    }

    private Task AddParticipantAsync(string connectionId, long? leftAt) =>
        Database.WriteAsync((c, tx) => c.ExecuteAsync(
            """
            INSERT INTO ptt_participants (session_id, connection_id, user_id, name, app_type, joined_at, left_at, last_seen)
            VALUES ('s-1', @ConnectionId, 'u-1', 'Ada', 'driver', 500, @LeftAt, 900)
            """, new { ConnectionId = connectionId, LeftAt = leftAt }, tx)).WaitAsync(Timeout);

    /// <summary>Every connection row's id, in ordinal order (the engines' text collations differ).</summary>
    private protected async Task<string[]> ConnectionIdsAsync()
    {
        var ids = (await Database.ReadAsync(c => c.QueryAsync<string>("SELECT connection_id FROM connections")).WaitAsync(Timeout)).ToArray();
        Array.Sort(ids, StringComparer.Ordinal);
        return ids;
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
