using Microsoft.Extensions.Time.Testing;
using Heartline.Ptt;
using Dapper;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Ptt;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Heartline.Tests.Cluster;

/// <summary>
/// Liveness and leases across in-process nodes on manual clocks: the background loops never tick by themselves, so
/// each test drives heartbeats, renewals and time itself.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterClockTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly List<HeartlineServer> _nodes = [];
    private readonly List<WsClient> _clients = [];
    private string _schema = "";

    public async Task InitializeAsync() => _schema = await postgres.CreateSchemaAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        foreach (var node in _nodes)
        {
            // Stopping waits on the node's (manual) clock while connections remain: let them go first.
            var registry = node.Services.GetRequiredService<ConnectionRegistry>();
            await Eventually.TrueAsync(() => registry.Count == 0, "connections closed");
            await node.DisposeAsync();
        }
        await postgres.DropSchemaAsync(_schema);
    }

    /// <summary>
    /// A node on <paramref name="clock"/>. Its heartbeat loop runs after each advance of the clock, with the clock
    /// already moved on, so the node timeout is long: only a node whose clock stands still looks lost.
    /// </summary>
    private async Task<HeartlineServer> NodeAsync(string nodeId, FakeTimeProvider clock)
    {
        var node = await ClusterNodes.StartAsync(_schema, nodeId, new Dictionary<string, string?> { ["Cluster:NodeTimeoutSeconds"] = "60" },
            services => services.AddSingleton<TimeProvider>(clock));
        _nodes.Add(node);
        return node;
    }

    private async Task<WsClient> MemberAsync(HeartlineServer node, string userId)
    {
        var client = await node.MemberAsync(userId);
        _clients.Add(client);
        return client;
    }

    private static ClusterNode Membership(HeartlineServer node) => node.Services.GetRequiredService<ClusterNode>();

    private static FloorControl Floors(HeartlineServer node) => node.Services.GetRequiredService<FloorControl>();

    [Fact]
    public async Task SilentNode_IsCleanedUpOnceByTheSurvivors_WhoRunItsDisconnectActions_AndTheNodeFencesItselfWhenItWakes()
    {
        // live-a's clock stands still: it stops heartbeating while the survivors' time runs on.
        var paused = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var running = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("live-a", paused);
        var b = await NodeAsync("live-b", running);
        var c = await NodeAsync("live-c", running);
        var speaker = await MemberAsync(a, "drv1");
        var listener = await MemberAsync(b, "drv2");
        var sessionId = (await speaker.PressAsync()).GetProperty("session_id").GetString();
        await listener.NextPttAsync("session_started");
        await using var db = new NpgsqlConnection(_schema);
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM disconnect_actions") == 1, "the release action is stored");

        // The survivors' heartbeat loops tick every second of their clock; both look for lost nodes, as do these
        // explicit rounds at the end.
        for (var second = 0; second <= 60; second++)
        {
            running.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(15);
        }
        await Task.WhenAll(Membership(b).CleanLostNodesAsync(default), Membership(c).CleanLostNodesAsync(default));

        var ended = await listener.NextPttAsync("session_ended");
        Assert.Equal("node_lost", ended.GetProperty("reason").GetString());
        Assert.Equal(sessionId, ended.GetProperty("session_id").GetString());
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM nodes WHERE node_id = 'live-a' AND cleaned_at IS NOT NULL") == 1,
            "the cleanup finishes");
        Assert.Contains(db.ExecuteScalar<string>("SELECT lost_by FROM nodes WHERE node_id = 'live-a'"), new[] { "live-b", "live-c" });
        Assert.Empty((await Task.WhenAll(Membership(b).CleanLostNodesAsync(default), Membership(c).CleanLostNodesAsync(default))).SelectMany(x => x));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'live-a' AND ended_at IS NULL"));
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'live-a' AND end_reason = 'node_lost'"));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM disconnect_actions"));
        await Task.Delay(200);
        Assert.False(listener.TryTakePush(out var more) && more.GetProperty("data").GetProperty("type").GetString() == "session_ended",
            "the session ended twice");

        // live-a only paused: its next heartbeat finds it declared lost, so it closes its clients, which reconnect.
        Assert.False(await Membership(a).BeatAsync(default));
        await Membership(a).TickAsync(default);
        Assert.Equal(4000, await speaker.WaitClosedAsync());
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM nodes WHERE node_id = 'live-a' AND lost_at IS NULL"));
        // Its user reconnects at once (within the leave grace) and is online cluster-wide again.
        await MemberAsync(a, "drv1");
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM presence_scope_users WHERE user_id = 'drv1'") == 1,
            "drv1 online again after the fenced node's restart of its connections");
    }

    /// <summary>
    /// A database outage stops every node's heartbeat at once. The first node to beat again must not take all the others
    /// for lost (it would end their connections and floors): after a gap in its own heartbeats it judges peers again
    /// only once it has beaten for a whole node timeout; a peer that really died is still declared lost then.
    /// </summary>
    [Fact]
    public async Task AfterAGapInItsOwnHeartbeats_ANodeWaitsOneTimeoutBeforeDeclaringOthersLost()
    {
        var running = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var b = await NodeAsync("gap-b", running);
        var a = await NodeAsync("gap-a", new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var db = new NpgsqlConnection(_schema);
        void PeerBeats() => db.Execute("UPDATE nodes SET heartbeat_at = @Now WHERE node_id = 'gap-a'",
            new { Now = running.GetUtcNow().ToUnixTimeMilliseconds() });
        await using var observer = new NpgsqlConnection(_schema);
        // Whichever of gap-b's rounds meets the lock (its heartbeat, or a round still reading the peers), gap-b is stuck
        // on the database until the outage ends, so its next heartbeat comes after the gap.
        bool WaitingForLock() => observer.ExecuteScalar<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%nodes%' AND query NOT LIKE 'LOCK TABLE%'") > 0;
        // gap-b beats every second for more than a timeout (60 s here) while gap-a's heartbeat stays fresh. The rounds
        // are driven here (the background loop may also run one after an advance): a busy machine cannot leave a gap.
        for (var second = 0; second <= 61; second++)
        {
            running.Advance(TimeSpan.FromSeconds(1));
            PeerBeats();
            await Membership(b).TickAsync(default);
        }
        Assert.True(Membership(b).JudgesPeers(running.GetUtcNow().ToUnixTimeMilliseconds()));

        // The outage: the nodes table is locked, so gap-b's heartbeat waits while 61 s pass; then it beats first.
        await db.OpenAsync();
        await using (var outage = await db.BeginTransactionAsync())
        {
            await db.ExecuteAsync("LOCK TABLE nodes IN ACCESS EXCLUSIVE MODE", transaction: outage);
            running.Advance(TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(() => WaitingForLock(), "gap-b's heartbeat waits for the database");
            running.Advance(TimeSpan.FromSeconds(60));
            await outage.RollbackAsync();
        }
        await Membership(b).TickAsync(default);
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM nodes WHERE node_id = 'gap-a' AND lost_at IS NOT NULL"));

        // gap-a never comes back: one timeout of regular heartbeats later, gap-b declares it lost.
        for (var second = 0; second <= 61; second++)
        {
            running.Advance(TimeSpan.FromSeconds(1));
            await Membership(b).TickAsync(default);
        }
        Assert.Equal("gap-b", db.ExecuteScalar<string>("SELECT lost_by FROM nodes WHERE node_id = 'gap-a'"));
        Assert.NotNull(a);
    }

    /// <summary>
    /// A node declared lost while it was only paused registers again and goes on serving: the survivor's cleanup, which
    /// may still be running, ends only what the node had when it was declared lost, never what it started since.
    /// </summary>
    [Fact]
    public async Task LostNodeCleanup_EndsOnlyWhatTheNodeHadWhenDeclaredLost()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("back-a", clock);
        var b = await NodeAsync("back-b", clock);
        var declaredLostAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        var speaker = await MemberAsync(a, "drv1");
        var listener = await MemberAsync(b, "drv2");
        await speaker.PressAsync();
        await listener.NextPttAsync("session_started");
        var cleanup = b.Services.GetRequiredService<NodeLossCleanup>();
        await using var db = new NpgsqlConnection(_schema);

        await cleanup.CleanAsync("back-a", declaredLostAt, default);

        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM leases WHERE holder_node = 'back-a' AND holder_connection IS NOT NULL"));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'back-a' AND ended_at IS NOT NULL"));
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM ptt_sessions WHERE node_id = 'back-a' AND ended_at IS NULL"));

        // Declared lost after the press: then the floor and its session are the lost node's to end.
        await cleanup.CleanAsync("back-a", clock.GetUtcNow().ToUnixTimeMilliseconds() + 1, default);
        Assert.Equal("node_lost", (await listener.NextPttAsync("session_ended")).GetProperty("reason").GetString());
    }

    /// <summary>
    /// After the LISTEN connection reconnects, the node re-reads the floors it follows. A row read just before this
    /// node's own press committed shows an older epoch: that must not end the fresh grant.
    /// </summary>
    [Fact]
    public async Task Resynchronize_WithARowOlderThanThisNodesGrant_KeepsTheGrant()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("resync-a", clock);
        var speaker = await MemberAsync(a, "drv1");
        var press = await speaker.PressAsync();
        var epoch = press.GetProperty("epoch").GetInt64();
        await using var db = new NpgsqlConnection(_schema);
        // What a read that raced the press saw: the previous epoch, still with a session.
        db.Execute("""
            UPDATE leases SET epoch = @Older, data = replace(data, (data::json ->> 'session_id'), 'earlier-session')
            WHERE holder_node = 'resync-a'
            """,
            new { Older = epoch - 1 });

        await Floors(a).ResynchronizeAsync();

        (await speaker.RequestAsync("ptt.keepalive", new { epoch })).AssertOk();
    }

    [Fact]
    public async Task PeerAudio_WithAnEpochFarAheadOfTheClock_IsNotRelayed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var b = await NodeAsync("peer-b", clock);
        await MemberAsync(b, "drv2");
        static byte[] Frame(long epoch)
        {
            var frame = new byte[13 + 20];
            frame[0] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1, 8), epoch);
            return frame;
        }

        Assert.False(Floors(b).OnPeerAudio("r1_o1", Frame(long.MaxValue)));
        Assert.True(Floors(b).OnPeerAudio("r1_o1", Frame(clock.GetUtcNow().ToUnixTimeMilliseconds())));
    }

    /// <summary>
    /// A lost node whose cleanup has not finished is claimed again only when its claimer has itself stopped
    /// heartbeating: a slow cleanup by a live node never runs a second time elsewhere.
    /// </summary>
    [Fact]
    public async Task UnfinishedCleanup_IsClaimedAgainOnlyWhenItsClaimerIsGone()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var c = await NodeAsync("reclaim-c", clock);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = new NpgsqlConnection(_schema);
        db.Execute("""
            INSERT INTO nodes (node_id, address, started_at, heartbeat_at, lost_at, lost_by)
            VALUES ('claimer', NULL, @Old, @Now, NULL, NULL),
                   ('ghost', NULL, @Old, @Old, @LongAgo, 'claimer')
            """, new { Now = now, Old = now - 3_600_000, LongAgo = now - 3_000_000 });

        Assert.DoesNotContain("ghost", await Membership(c).CleanLostNodesAsync(default));

        db.Execute("UPDATE nodes SET heartbeat_at = @Old WHERE node_id = 'claimer'", new { Old = now - 3_600_000 });
        Assert.Contains("ghost", await Membership(c).CleanLostNodesAsync(default));
        Assert.Equal("reclaim-c", db.ExecuteScalar<string>("SELECT lost_by FROM nodes WHERE node_id = 'ghost'"));
    }

    [Fact]
    public async Task LeaseLapse_OnTheSpeakersNode_EndsTheSessionForListenersOnOtherNodes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("lease-a", clock);
        var b = await NodeAsync("lease-b", clock);
        var speaker = await MemberAsync(a, "drv1");
        var listener = await MemberAsync(b, "drv2");
        await speaker.PressAsync();
        await listener.NextPttAsync("session_started");

        clock.Advance(TimeSpan.FromMilliseconds(Floors(a).Options.LeaseMs));

        Assert.Equal("lease_expired", (await listener.NextPttAsync("floor_revoked")).GetProperty("reason").GetString());
        Assert.Equal("lease_expired", (await listener.NextPttAsync("session_ended")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ActiveSpeaker_KeepsTheFloorPastTheDatabaseLease_ThroughRenewals()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("renew-a", clock);
        var b = await NodeAsync("renew-b", clock);
        var speaker = await MemberAsync(a, "drv1");
        var other = await MemberAsync(b, "drv2");
        var epoch = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();

        for (var second = 1; second <= 12; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            (await speaker.RequestAsync("ptt.keepalive", new { epoch })).AssertOk();
            // The renewer's own loop may run on the advance too; either way the lease follows the activity.
            await Floors(a).RenewLeasesAsync();
        }

        Assert.Equal("floor_busy", (await other.RequestAsync("ptt.press")).ErrorCode);
    }

    [Fact]
    public async Task Press_AfterTheDatabaseLeaseLapsed_TakesTheFloorFromAFrozenNode_WhichThenDropsIt()
    {
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var running = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("frozen-a", frozen);
        var b = await NodeAsync("running-b", running);
        var speaker = await MemberAsync(a, "drv1");
        var presser = await MemberAsync(b, "drv2");
        var first = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();

        running.Advance(TimeSpan.FromMilliseconds(Floors(b).Options.LeaseMs) + Floors(b).RenewPeriod + TimeSpan.FromMilliseconds(100));
        var second = await presser.PressAsync();

        Assert.True(second.GetProperty("epoch").GetInt64() > first);
        Assert.Equal("lease_expired", (await speaker.NextPttAsync("floor_revoked")).GetProperty("reason").GetString());
        await Eventually.TrueAsync(() => speaker.RequestAsync("ptt.keepalive", new { epoch = first }).Result.ErrorCode == "not_floor_holder",
            "the frozen node learns it lost the floor");
    }

    [Fact]
    public async Task Press_BySameUserOnTheSameNode_IsBusyWhileTheHolderKeepsItsLease_ThenTakesOver_AndTheOldConnectionDoesNotListen()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = await NodeAsync("takeover-a", clock);
        var b = await NodeAsync("takeover-b", clock);
        var dropped = await MemberAsync(a, "drv1");
        var reconnected = await MemberAsync(a, "drv1");
        var listener = await MemberAsync(b, "drv2");
        var first = await dropped.PressAsync();
        var epoch = first.GetProperty("epoch").GetInt64();
        clock.Advance(TimeSpan.FromMilliseconds(2000));
        (await dropped.RequestAsync("ptt.keepalive", new { epoch })).AssertOk();

        // 3,749 ms after the holder's last keep-alive: just short of three quarters of the 5 s lease.
        clock.Advance(TimeSpan.FromMilliseconds(3749));
        Assert.Equal("floor_busy", (await reconnected.RequestAsync("ptt.press")).ErrorCode);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = await reconnected.PressAsync();

        Assert.True(second.GetProperty("epoch").GetInt64() > epoch);
        var ended = await listener.NextPttAsync("session_ended");
        Assert.Equal("disconnected", ended.GetProperty("reason").GetString());
        Assert.Equal(first.GetProperty("session_id").GetString(), ended.GetProperty("session_id").GetString());
        var started = await listener.NextPttAsync("session_started");
        Assert.Equal(second.GetProperty("session_id").GetString(), started.GetProperty("session_id").GetString());
        await Eventually.TrueAsync(() => Participants(listener).Result.Contains("drv2"), "the listener joins the new session");
        Assert.DoesNotContain("drv1", await Participants(listener));
    }

    [Fact]
    public async Task Press_BySameUserOnAnotherNode_TakesOverFromAStalledNode_OneRenewalPeriodLaterThanLocally()
    {
        var start = DateTimeOffset.UtcNow;
        var frozen = new FakeTimeProvider(start);
        var running = new FakeTimeProvider(start);
        var a = await NodeAsync("takeover-frozen-a", frozen);
        var b = await NodeAsync("takeover-running-b", running);
        var dropped = await MemberAsync(a, "drv1");
        var reconnected = await MemberAsync(b, "drv1");
        var first = (await dropped.PressAsync()).GetProperty("epoch").GetInt64();
        var needed = TimeSpan.FromMilliseconds(Floors(b).Options.LeaseMs * 3 / 4.0) + Floors(b).RenewPeriod;

        running.Advance(needed - TimeSpan.FromMilliseconds(100));
        Assert.Equal("floor_busy", (await reconnected.RequestAsync("ptt.press")).ErrorCode);
        running.Advance(TimeSpan.FromMilliseconds(100));
        var second = await reconnected.PressAsync();

        // Still within the row's lease (lease + one renewal period): the takeover, not the lapse, freed the floor.
        Assert.True(second.GetProperty("epoch").GetInt64() > first);
        Assert.Equal("disconnected", (await dropped.NextPttAsync("floor_revoked")).GetProperty("reason").GetString());
        await Eventually.TrueAsync(() => dropped.RequestAsync("ptt.keepalive", new { epoch = first }).Result.ErrorCode == "not_floor_holder",
            "the stalled node learns it lost the floor");
    }

    private static async Task<List<string?>> Participants(WsClient client)
    {
        var state = await client.RequestAsync("ptt.state");
        return [.. state.Result.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("user_id").GetString())];
    }
}
