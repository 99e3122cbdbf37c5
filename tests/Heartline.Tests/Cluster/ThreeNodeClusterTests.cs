using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Ptt;
using Heartline.Tests.Storage;
using Npgsql;
using Xunit.Abstractions;

namespace Heartline.Tests.Cluster;

/// <summary>
/// Three nodes as separate processes over one PostgreSQL (issue 7): floor control, the bus, presence and audio across
/// nodes, and a node killed with SIGKILL. Each test works in its own office.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ThreeNodeClusterTests(PostgresFixture postgres, ClusterProcesses cluster, ITestOutputHelper output)
    : IClassFixture<ClusterProcesses>, IAsyncLifetime
{
    public Task InitializeAsync() => cluster.EnsureStartedAsync(postgres);

    public Task DisposeAsync()
    {
        foreach (var node in new[] { cluster.A, cluster.B, cluster.C })
        {
            foreach (var line in node.Output.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase))) output.WriteLine($"{node.NodeId}: {line}");
        }
        return Task.CompletedTask;
    }

    private NpgsqlConnection Database() => new(cluster.ConnectionString);

    [Fact]
    public async Task Press_OnNodeA_ListenersOnNodesBAndCAreNotified()
    {
        await using var speaker = await ClusterNodes.MemberAsync(cluster.A.BaseAddress, "cm1", Roles.CallManager, "o1", "배차실");
        await using var onB = await ClusterNodes.MemberAsync(cluster.B.BaseAddress, "drv1", office: "o1");
        await using var onC = await ClusterNodes.MemberAsync(cluster.C.BaseAddress, "drv2", office: "o1");

        var press = await speaker.PressAsync();
        var startedOnB = await onB.NextPttAsync("session_started");
        var startedOnC = await onC.NextPttAsync("session_started");

        Assert.Equal(press.GetProperty("session_id").GetString(), startedOnB.GetProperty("session_id").GetString());
        Assert.Equal(press.GetProperty("epoch").GetInt64(), startedOnC.GetProperty("epoch").GetInt64());
        Assert.Equal("배차실", startedOnC.GetProperty("speaker").GetProperty("name").GetString());
        // Listeners on other nodes are participants of the session; the state reads the same from every node.
        await Eventually.TrueAsync(() => Participants(onB).Result.Count == 2, "both remote listeners joined the session");
        Assert.Equal(["drv1", "drv2"], (await Participants(onC)).Order());
        (await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() })).AssertOk();
        Assert.Equal("released", (await onC.NextPttAsync("session_ended")).GetProperty("reason").GetString());
    }

    private static async Task<List<string>> Participants(WsClient client)
    {
        var state = await client.RequestAsync("ptt.state");
        return [.. state.Result.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("user_id").GetString()!)];
    }

    [Fact]
    public async Task Press_OnNodeB_WhileNodeAHoldsTheFloor_IsFloorBusyNamingTheSpeaker()
    {
        await using var holder = await ClusterNodes.MemberAsync(cluster.A.BaseAddress, "drv1", office: "o2", name: "김기사");
        await using var other = await ClusterNodes.MemberAsync(cluster.B.BaseAddress, "drv2", office: "o2");
        var press = await holder.PressAsync();

        var busy = await other.RequestAsync("ptt.press");

        Assert.Equal("floor_busy", busy.ErrorCode);
        var details = busy.Frame.GetProperty("error").GetProperty("details");
        Assert.Equal("drv1", details.GetProperty("speaker").GetProperty("user_id").GetString());
        Assert.Equal("김기사", details.GetProperty("speaker").GetProperty("name").GetString());
        Assert.Equal(press.GetProperty("session_id").GetString(), details.GetProperty("session_id").GetString());
        (await holder.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() })).AssertOk();
    }

    [Fact]
    public async Task Press_ByCallManagerOnNodeC_PreemptsADriverOnNodeA()
    {
        await using var driver = await ClusterNodes.MemberAsync(cluster.A.BaseAddress, "drv1", office: "o3");
        await using var dispatcher = await ClusterNodes.MemberAsync(cluster.C.BaseAddress, "cm1", Roles.CallManager, "o3");
        var first = await driver.PressAsync();

        var second = await dispatcher.PressAsync();

        Assert.True(second.GetProperty("preempted").GetBoolean());
        Assert.True(second.GetProperty("epoch").GetInt64() > first.GetProperty("epoch").GetInt64());
        var revoked = await driver.NextPttAsync("floor_revoked");
        Assert.Equal("preempted", revoked.GetProperty("reason").GetString());
        Assert.Equal("speaker_changed", (await driver.NextPttAsync("speaker_changed")).GetProperty("type").GetString());
        // The pre-empted driver's node learned it no longer holds the floor: its keep-alive is refused.
        await Eventually.TrueAsync(() => driver.RequestAsync("ptt.keepalive", new { epoch = first.GetProperty("epoch").GetInt64() }).Result.ErrorCode == "not_floor_holder",
            "the old speaker's node drops its grant");
        (await dispatcher.RequestAsync("ptt.release", new { epoch = second.GetProperty("epoch").GetInt64() })).AssertOk();
    }

    [Fact]
    public async Task ConcurrentPresses_AcrossThreeNodes_NeverGrantTwice()
    {
        var nodes = new[] { cluster.A, cluster.B, cluster.C };
        var members = await Task.WhenAll(Enumerable.Range(0, 9).Select(i =>
            ClusterNodes.MemberAsync(nodes[i % 3].BaseAddress, $"drv{i}", office: "o4")));
        try
        {
            const int rounds = 25;
            for (var round = 0; round < rounds; round++)
            {
                var replies = await Task.WhenAll(members.Select(m => m.RequestAsync("ptt.press")));
                var granted = replies.Select((r, i) => (Reply: r, Member: members[i])).Where(x => x.Reply.IsOk).ToList();
                Assert.Single(granted);
                Assert.All(replies.Where(r => !r.IsOk), r => Assert.Equal("floor_busy", r.ErrorCode));
                var epoch = granted[0].Reply.Result.GetProperty("epoch").GetInt64();
                Assert.True((await granted[0].Member.RequestAsync("ptt.release", new { epoch })).Result.GetProperty("released").GetBoolean());
            }

            // In the database: every session ended before the next began, epochs strictly increasing.
            await using var db = Database();
            var sessions = (await db.QueryAsync<(long Epoch, long StartedAt, long? EndedAt)>(
                "SELECT epoch, started_at, ended_at FROM ptt_sessions WHERE office = 'r1_o4' ORDER BY epoch")).AsList();
            Assert.Equal(rounds, sessions.Count);
            for (var i = 1; i < sessions.Count; i++)
            {
                Assert.True(sessions[i].Epoch > sessions[i - 1].Epoch);
                Assert.True(sessions[i - 1].EndedAt <= sessions[i].StartedAt, $"sessions {i - 1} and {i} overlap");
            }
        }
        finally
        {
            foreach (var m in members) await m.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reconnect_ToAnotherNode_RecoversMissedPublications()
    {
        await using var publisher = await ClusterNodes.ConnectAsync(cluster.C.BaseAddress, "cm1", Roles.CallManager, "o5");
        long offset;
        string epoch;
        await using (var before = await ClusterNodes.ConnectAsync(cluster.A.BaseAddress, "drv1", office: "o5"))
        {
            var reply = await before.RequestAsync("subscribe", new { channel = "office:r1_o5" });
            offset = reply.Result.GetProperty("offset").GetInt64();
            epoch = reply.Result.GetProperty("epoch").GetString()!;
        }
        for (var n = 1; n <= 5; n++) (await publisher.RequestAsync("publish", new { channel = "office:r1_o5", data = new { n } })).AssertOk();

        await using var after = await ClusterNodes.ConnectAsync(cluster.B.BaseAddress, "drv1", office: "o5");
        var recovered = await after.RequestAsync("subscribe", new { channel = "office:r1_o5", since = new { offset, epoch } });

        Assert.True(recovered.Result.GetProperty("recovered").GetBoolean());
        Assert.Equal([1, 2, 3, 4, 5], recovered.Result.GetProperty("publications").EnumerateArray()
            .Select(p => p.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task AudioFrame_FromSpeakerOnNodeA_ReachesListenersOnNodesBAndC_InOrder()
    {
        await using var speaker = await ClusterNodes.MemberAsync(cluster.A.BaseAddress, "drv1", office: "o6");
        await using var onB = await ClusterNodes.MemberAsync(cluster.B.BaseAddress, "drv2", office: "o6");
        await using var onC = await ClusterNodes.MemberAsync(cluster.C.BaseAddress, "drv3", office: "o6");
        var epoch = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();
        await onB.NextPttAsync("session_started");

        // The peer links come up with the heartbeats, each in its own time; frames that find no link are dropped (live
        // audio is never queued). Probe until both links carried a frame, then every frame must arrive on both.
        var clock = Stopwatch.StartNew();
        uint sequence = 0;
        bool reachedB = false, reachedC = false;
        while (!(reachedB && reachedC) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await speaker.SendAsync(FloorControlTests.Audio(epoch, ++sequence), WebSocketMessageType.Binary);
            reachedB |= await ArrivesAsync(onB);
            reachedC |= await ArrivesAsync(onC);
        }
        Assert.True(reachedB && reachedC, $"peer links up: B {reachedB}, C {reachedC}");
        for (var i = 0; i < 20; i++) await speaker.SendAsync(FloorControlTests.Audio(epoch, ++sequence), WebSocketMessageType.Binary);
        uint last = 0;
        while (last != sequence) last = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await onB.NextBinaryAsync()).AsSpan(9));
        var onCLast = 0u;
        while (onCLast != sequence) onCLast = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await onC.NextBinaryAsync()).AsSpan(9));
        // A listener cannot inject audio on its own node.
        await onB.SendAsync(FloorControlTests.Audio(epoch, 999), WebSocketMessageType.Binary);
        Assert.Equal("binary_not_allowed", (await onB.NextPushAsync("error")).GetProperty("error").GetProperty("code").GetString());
        Assert.False(speaker.TryTakeBinary(out _));
        (await speaker.RequestAsync("ptt.release", new { epoch })).AssertOk();
    }

    private static async Task<bool> ArrivesAsync(WsClient listener)
    {
        try
        {
            await listener.NextBinaryAsync(TimeSpan.FromMilliseconds(200));
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Presence_IsVisibleFromEveryNode_AndAUserOnTwoNodesComesOnlineAndGoesOfflineOnce()
    {
        await using var watcher = await ClusterNodes.ConnectAsync(cluster.C.BaseAddress, "cm1", Roles.CallManager, "o7");
        (await watcher.RequestAsync("subscribe", new { channel = "presence:r1_o7" })).AssertOk();
        bool IsDrv1(JsonElement p) => p.GetProperty("channel").GetString() == "presence:r1_o7"
            && p.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString() == "drv1";

        var phone = await ClusterNodes.ConnectAsync(cluster.A.BaseAddress, "drv1", office: "o7");
        var tablet = await ClusterNodes.ConnectAsync(cluster.B.BaseAddress, "drv1", office: "o7");

        Assert.Equal("online", (await watcher.NextPushAsync(IsDrv1)).GetProperty("data").GetProperty("event").GetString());
        var list = await watcher.RequestAsync("presence");
        var drv1 = list.Result.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("user_id").GetString() == "drv1");
        Assert.Equal(2, drv1.GetProperty("connections").GetArrayLength());

        // The tablet leaves: the phone on another node keeps the user online. Then the phone leaves too.
        await tablet.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await phone.DisposeAsync();

        Assert.Equal("offline", (await watcher.NextPushAsync(IsDrv1)).GetProperty("data").GetProperty("event").GetString());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(watcher.TryTakePush(out var extra) && IsDrv1(extra), "a second presence announcement for drv1: " + extra);
        var after = await watcher.RequestAsync("presence");
        Assert.DoesNotContain(after.Result.GetProperty("users").EnumerateArray(), u => u.GetProperty("user_id").GetString() == "drv1");
    }

    [Fact]
    public async Task KillNine_OfTheNodeHoldingTheFloor_ReleasesItWithNodeLost_AndASurvivorGrantsAgain()
    {
        await using var doomed = await NodeProcess.StartAsync(cluster.ConnectionString, "node-d", ClusterProcesses.Settings);
        await using var speaker = await ClusterNodes.MemberAsync(doomed.BaseAddress, "drv1", office: "o8");
        await using var listenerOnDoomed = await ClusterNodes.MemberAsync(doomed.BaseAddress, "drv2", office: "o8");
        await using var onA = await ClusterNodes.MemberAsync(cluster.A.BaseAddress, "drv3", office: "o8");
        await using var onB = await ClusterNodes.MemberAsync(cluster.B.BaseAddress, "drv4", office: "o8");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString()!;
        await onA.NextPttAsync("session_started");
        // The speaker's release action reaches the database shortly after the grant.
        await using var db = Database();
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM disconnect_actions a JOIN connections c USING (connection_id) WHERE c.node_id = 'node-d'") == 1,
            "the release action is stored");

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        var ended = await onA.NextPttAsync("session_ended", TimeSpan.FromSeconds(15));
        var noticed = clock.Elapsed;
        output.WriteLine($"session_ended (node_lost) reached a survivor {noticed.TotalMilliseconds:F0} ms after kill -9 (timeout 3 s, heartbeat 1 s)");

        Assert.Equal("node_lost", ended.GetProperty("reason").GetString());
        Assert.Equal(sessionId, ended.GetProperty("session_id").GetString());
        Assert.True(noticed < TimeSpan.FromSeconds(8), $"noticed after {noticed}");
        Assert.Equal("node_lost", db.ExecuteScalar<string>("SELECT end_reason FROM ptt_sessions WHERE session_id = @S", new { S = sessionId }));
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'node-d' AND ended_at IS NULL") == 0,
            "the dead node's connections are ended");
        Assert.Equal(2, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'node-d' AND end_reason = 'node_lost'"));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM ptt_participants WHERE session_id = @S AND left_at IS NULL", new { S = sessionId }));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM disconnect_actions a JOIN connections c USING (connection_id) WHERE c.node_id = 'node-d'"));
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM nodes WHERE node_id = 'node-d' AND cleaned_at IS NOT NULL") == 1,
            "the survivor finishes the cleanup");

        var again = await onB.PressAsync();
        Assert.True(again.GetProperty("epoch").GetInt64() > press.GetProperty("epoch").GetInt64());
        (await onB.RequestAsync("ptt.release", new { epoch = again.GetProperty("epoch").GetInt64() })).AssertOk();
    }
}
