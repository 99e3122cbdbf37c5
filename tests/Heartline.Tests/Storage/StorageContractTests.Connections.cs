using Dapper;
using Heartline.Core.Presence;

namespace Heartline.Tests.Storage;

public abstract partial class StorageContractTests
{
    [Fact]
    public async Task AddAsync_ThenListOpenAsync_ReturnsTheConnection()
    {
        var connection = Connection("c-1", device: "iPhone");

        await Connections.AddAsync(connection).WaitAsync(Timeout);

        var listed = Assert.Single(await Connections.ListOpenAsync("node-a").WaitAsync(Timeout));
        Assert.Equal(connection with { Scopes = [] }, listed with { Scopes = [] });
        Assert.Equal(["eu_office-1", "room/7"], listed.Scopes);
    }

    [Fact]
    public async Task EndAsync_CalledTwice_KeepsTheFirstEnd()
    {
        await Connections.AddAsync(Connection("c-1")).WaitAsync(Timeout);

        await Connections.EndAsync("c-1", 5_000, "closed").WaitAsync(Timeout);
        await Connections.EndAsync("c-1", 9_000, "crash-cleanup").WaitAsync(Timeout);

        var end = await Database.ReadAsync(c => c.QuerySingleAsync<(long EndedAt, string Reason)>(
            "SELECT ended_at, end_reason FROM connections WHERE connection_id = @Id", new { Id = "c-1" }))
            .WaitAsync(Timeout);
        Assert.Equal((5_000L, "closed"), end);
    }

    [Fact]
    public async Task ListOpenAsync_OtherNodesAndEndedConnections_AreLeftOut()
    {
        await Connections.AddAsync(Connection("open-a", connectedAt: 2)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("ended-a", connectedAt: 1)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("open-b", node: "node-b")).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("open-a2", connectedAt: 3)).WaitAsync(Timeout);
        await Connections.EndAsync("ended-a", 10, "closed").WaitAsync(Timeout);

        var open = await Connections.ListOpenAsync("node-a").WaitAsync(Timeout);

        Assert.Equal(["open-a", "open-a2"], open.Select(c => c.ConnectionId));
    }

    [Fact]
    public async Task ListActionsAsync_SeveralActions_ReturnsOnlyThatConnectionsOldestFirst()
    {
        await Connections.AddActionAsync(new("a-late", "c-1", "ptt.release", "{}", 300)).WaitAsync(Timeout);
        await Connections.AddActionAsync(new("a-early", "c-1", "presence.leave", """{"office":"1"}""", 100))
            .WaitAsync(Timeout);
        await Connections.AddActionAsync(new("a-other", "c-2", "ptt.release", "{}", 200)).WaitAsync(Timeout);

        var actions = await Connections.ListActionsAsync("c-1").WaitAsync(Timeout);

        Assert.Equal(["a-early", "a-late"], actions.Select(a => a.ActionId));
        Assert.Equal(new DisconnectActionRecord("a-early", "c-1", "presence.leave", """{"office":"1"}""", 100), actions[0]);
    }

    [Fact]
    public async Task RemoveActionAsync_CalledTwice_SecondReturnsFalse()
    {
        await Connections.AddActionAsync(new("a-1", "c-1", "ptt.release", "{}", 100)).WaitAsync(Timeout);

        Assert.True(await Connections.RemoveActionAsync("a-1").WaitAsync(Timeout));
        Assert.False(await Connections.RemoveActionAsync("a-1").WaitAsync(Timeout));
        Assert.Empty(await Connections.ListActionsAsync("c-1").WaitAsync(Timeout));
    }

    [Fact]
    public async Task CountOpenAsync_CountsANodesOpenConnections_UpToATime_AndScopesAddedLaterAreListed()
    {
        await Connections.AddAsync(Connection("old", connectedAt: 1_000)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("at", connectedAt: 2_000)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("young", connectedAt: 3_000)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("other-node", node: "node-b", connectedAt: 1_000)).WaitAsync(Timeout);
        await Connections.AddAsync(Connection("ended", connectedAt: 1_000)).WaitAsync(Timeout);
        await Connections.EndAsync("ended", 1_500, "client_closed").WaitAsync(Timeout);

        Assert.Equal(2, await Connections.CountOpenAsync("node-a", 2_000).WaitAsync(Timeout));
        Assert.Equal(0, await Connections.CountOpenAsync("node-c", 9_000).WaitAsync(Timeout));

        // A channel's presence entered after connecting, twice (idempotent), then left.
        await Connections.AddScopeAsync("old", "qna:q.1").WaitAsync(Timeout);
        await Connections.AddScopeAsync("old", "qna:q.1").WaitAsync(Timeout);
        await Connections.AddScopeAsync("old", "qna:q.2").WaitAsync(Timeout);
        await Connections.RemoveScopeAsync("old", "qna:q.2").WaitAsync(Timeout);
        var old = (await Connections.ListOpenAsync("node-a").WaitAsync(Timeout)).Single(c => c.ConnectionId == "old");
        Assert.Equal(["eu_office-1", "qna:q.1", "room/7"], old.Scopes.Order(StringComparer.Ordinal));
    }

    private static ConnectionRecord Connection(
        string id, string node = "node-a", long connectedAt = 1_000, string? device = null) =>
        new(id, node, "u-1", "Ada", "agent viewer", "user", "tenant-1", """{"region":"eu","office":"office-1"}""", "desktop", device, connectedAt)
        {
            Scopes = ["eu_office-1", "room/7"],
        };
}
