using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Tests.Cluster;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using static Heartline.Tests.Qna.QnaTestKit;

namespace Heartline.Tests.Qna;

/// <summary>Q&amp;A on three nodes over one PostgreSQL: every node sweeps the same jobs, each tier runs once, nobody is told twice.</summary>
[Collection(PostgresCollection.Name)]
public sealed class QnaClusterTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _schema = "";
    private readonly List<HeartlineServer> _nodes = [];

    public async Task InitializeAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        // Short tier delays and a fast poll, so all three nodes race for the same due jobs.
        var settings = new Dictionary<string, string?> { ["Qna:Tier2DelaySeconds"] = "1", ["Qna:Tier3DelaySeconds"] = "2", ["Qna:Tier4DelaySeconds"] = "3" };
        foreach (var name in new[] { "qna-a", "qna-b", "qna-c" }) _nodes.Add(await ClusterNodes.StartAsync(_schema, name, settings));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await postgres.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task Nodes_TheClusterViewListsEveryNode_WithItsOpenConnections()
    {
        for (var i = 0; i < 3; i++) await _nodes[i].JoinAsync($"user{i}");
        await _nodes[2].JoinAsync("user2b");
        using var admin = _nodes[0].CreateHttpClient(ClusterNodes.Tokens.Mint("root", "root", Roles.Admin, "r1", "o1", TimeSpan.FromHours(1)));

        var nodes = await admin.GetFromJsonAsync<JsonElement>("/api/admin/nodes").WaitAsync(Wait);

        Assert.Equal([("qna-a", 1L), ("qna-b", 1L), ("qna-c", 2L)], nodes.EnumerateArray()
            .Select(n => (n.GetProperty("node_id").GetString(), n.GetProperty("connections").GetInt64())));
        Assert.All(nodes.EnumerateArray(), n => Assert.Equal(JsonValueKind.Null, n.GetProperty("lost_at").ValueKind));
    }

    [Fact]
    public async Task RoomPresence_SpansNodes_AUserOnTwoNodesIsInTheRoomOnce_AndLeavesWhenTheLastDeviceLeaves()
    {
        var asker = await _nodes[0].JoinAsync("asker", Places.Aewol);
        var questionId = await asker.AskAsync();
        var room = "qna:q." + questionId;
        var watcher = await _nodes[2].JoinAsync("watcher");
        (await watcher.Socket.RequestAsync("subscribe", new { channel = "presence:" + room })).AssertOk();
        async Task<string> NextAsync()
        {
            var push = await watcher.Socket.NextPushAsync(p => p.GetProperty("push").GetString() == "pub"
                && p.GetProperty("channel").GetString() == "presence:" + room, Wait);
            return push.GetProperty("data").GetProperty("event").GetString() + ":" + push.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString();
        }
        async Task<(string User, int Connections)[]> ListAsync()
        {
            var reply = await watcher.Socket.RequestAsync("presence", new { scope = room });
            Assert.True(reply.IsOk, reply.Frame.ToString());
            return [.. reply.Result.GetProperty("users").EnumerateArray()
                .Select(u => (u.GetProperty("user_id").GetString()!, u.GetProperty("connections").GetArrayLength())).Order()];
        }

        // The helper opens the room on a phone (node A) and a tablet (node B): one arrival, two connections listed on node C.
        var phone = await _nodes[0].JoinAsync("helper");
        var tablet = await _nodes[1].JoinAsync("helper");
        (await phone.Socket.RequestAsync("subscribe", new { channel = room })).AssertOk();
        Assert.Equal("online:helper", await NextAsync());
        (await tablet.Socket.RequestAsync("subscribe", new { channel = room })).AssertOk();
        Assert.Equal([("helper", 2)], await ListAsync());

        // The phone closes the room: the tablet on another node still has it open, so nobody hears of a departure.
        (await phone.Socket.RequestAsync("unsubscribe", new { channel = room })).AssertOk();
        Assert.Equal([("helper", 1)], await ListAsync());
        (await tablet.Socket.RequestAsync("unsubscribe", new { channel = room })).AssertOk();
        Assert.Equal("offline:helper", await NextAsync());
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Tiers_RunOnceAcrossNodes_EachUserToldOnce_AndTypingCrossesNodes()
    {
        var asker = await _nodes[0].JoinAsync("asker", Places.Aewol);
        var near = new List<QnaUser>();
        for (var i = 0; i < 6; i++) near.Add(await _nodes[i % 3].JoinAsync($"near{i}", (Places.Aewol.Lat, Places.Aewol.Lng + (i + 1) * 0.002)));
        var fourKm = await _nodes[1].JoinAsync("four-km", Places.FourKmEast);
        var inland = await _nodes[2].JoinAsync("inland", Places.AewolInland);

        var questionId = await asker.AskAsync();
        foreach (var user in near) Assert.Equal(1, (await user.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());
        Assert.Equal(2, (await fourKm.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());
        Assert.Equal(4, (await inland.NextInboxAsync("notification", questionId)).GetProperty("notification").GetProperty("tier").GetInt32());

        using var admin = _nodes[1].CreateHttpClient(ClusterNodes.Tokens.Mint("root", "root", Roles.Admin, "r1", "o1", TimeSpan.FromHours(1)));
        var jobs = await _nodes[1].AllJobsDoneAsync(questionId);
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        Assert.Equal(["sent: 6", "sent: 1", "sent: 0", "sent: 1"], jobs.Select(j => j.Outcome!));
        Assert.Equal(8, (await ToldAsync(admin, questionId)).Count);
        // Each user's inbox got exactly one notification of the question.
        foreach (var user in near.Append(fourKm).Append(inland))
        {
            (await user.Socket.RequestAsync("ping")).AssertOk();
            while (user.Socket.TryTakePush(out var extra))
                Assert.False(extra.GetProperty("data").GetProperty("type").GetString() == "notification", $"{user.Id} told twice");
        }

        // Typing on node C reaches a room subscriber on node A (a channel signal over the peer links).
        (await asker.Socket.RequestAsync("subscribe", new { channel = "qna:q." + questionId })).AssertOk();
        var typist = near[2];
        JsonElement signal = default;
        for (var attempt = 0; attempt < 50 && signal.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            // The peer links may still be opening right after start: a lost signal is repeated, as clients do while typing.
            (await typist.Socket.RequestAsync("qna.typing", new { question_id = questionId, typing = attempt % 2 == 0 })).AssertOk();
            try { signal = await asker.Socket.NextPushAsync("signal", TimeSpan.FromMilliseconds(200)); }
            catch (OperationCanceledException) { }
        }
        Assert.Equal("near2", signal.GetProperty("data").GetProperty("user_id").GetString());
    }
}
