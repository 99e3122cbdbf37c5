using System.Text.Json;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Cluster;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Heartline.Tests.Cluster;

/// <summary>The channel bus over PostgreSQL between two in-process nodes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterBusTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _schema = "";
    private HeartlineServer _a = null!;
    private HeartlineServer _b = null!;

    public async Task InitializeAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        _a = await ClusterNodes.StartAsync(_schema, "bus-a");
        _b = await ClusterNodes.StartAsync(_schema, "bus-b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await postgres.DropSchemaAsync(_schema);
    }

    private static long Offset(JsonElement pub) => pub.GetProperty("offset").GetInt64();

    private static async Task<List<JsonElement>> PubsAsync(WsClient client, int count, string channel = "office:r1_o1")
    {
        var pubs = new List<JsonElement>();
        while (pubs.Count < count)
            pubs.Add(await client.NextPushAsync(p => p.GetProperty("push").GetString() == "pub" && p.GetProperty("channel").GetString() == channel));
        return pubs;
    }

    [Fact]
    public async Task Publish_FromBothNodes_ReachesEverySubscriberOnEveryNode_InOneOrder()
    {
        await using var onA = await _a.ConnectAsync("u1");
        await using var onB = await _b.ConnectAsync("u2");
        await using var publisherA = await _a.ConnectAsync("d1", role: Roles.CallManager);
        await using var publisherB = await _b.ConnectAsync("d2", role: Roles.CallManager);
        (await onA.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        (await onB.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();

        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 50; i++) (await publisherA.RequestAsync("publish", new { channel = "office:r1_o1", data = new { from = "a", i } })).AssertOk(); }),
            Task.Run(async () => { for (var i = 0; i < 50; i++) (await publisherB.RequestAsync("publish", new { channel = "office:r1_o1", data = new { from = "b", i } })).AssertOk(); }));

        var seenOnA = await PubsAsync(onA, 100);
        var seenOnB = await PubsAsync(onB, 100);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seenOnA.Select(Offset));
        Assert.Equal(seenOnA.Select(p => p.GetRawText()), seenOnB.Select(p => p.GetRawText()));
        Assert.Equal(50, seenOnB.Count(p => p.GetProperty("data").GetProperty("from").GetString() == "a"));
    }

    [Fact]
    public async Task Subscribe_OnAnotherNodeWithSince_RecoversWhatWasMissed()
    {
        await using var publisher = await _a.ConnectAsync("d1", role: Roles.CallManager);
        JsonElement last;
        await using (var first = await _a.ConnectAsync("u1"))
        {
            (await first.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
            (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 1 } })).AssertOk();
            last = (await PubsAsync(first, 1))[0];
        }
        for (var n = 2; n <= 4; n++) (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n } })).AssertOk();

        await using var again = await _b.ConnectAsync("u1");
        var reply = await again.RequestAsync("subscribe", new
        {
            channel = "office:r1_o1",
            since = new { offset = Offset(last), epoch = last.GetProperty("epoch").GetString() },
        });
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 5 } })).AssertOk();

        reply.AssertOk();
        Assert.True(reply.Result.GetProperty("recovered").GetBoolean());
        Assert.Equal([2L, 3, 4], reply.Result.GetProperty("publications").EnumerateArray().Select(Offset));
        Assert.Equal(4, reply.Result.GetProperty("offset").GetInt64());
        Assert.Equal(5, Offset((await PubsAsync(again, 1))[0]));
        Assert.Empty(again.UnexpectedReplies);
    }

    [Fact]
    public async Task Subscribe_WithAnUnknownEpochOrBeyondHistory_IsNotRecovered()
    {
        await using var publisher = await _a.ConnectAsync("d1", role: Roles.CallManager);
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 1 } })).AssertOk();
        await using var client = await _b.ConnectAsync("u1");

        var reply = await client.RequestAsync("subscribe", new { channel = "office:r1_o1", since = new { offset = 1, epoch = "nope" } });

        reply.AssertOk();
        Assert.False(reply.Result.GetProperty("recovered").GetBoolean());
        Assert.Empty(reply.Result.GetProperty("publications").EnumerateArray());
    }

    [Fact]
    public async Task ListenerConnection_Lost_NothingIsMissed()
    {
        await using var subscriber = await _b.ConnectAsync("u1");
        await using var publisher = await _a.ConnectAsync("d1", role: Roles.CallManager);
        (await subscriber.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        var listener = _b.Services.GetRequiredService<ClusterListener>();
        var connects = listener.Connects;

        await using (var admin = new NpgsqlConnection(_schema))
        {
            await admin.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { Pid = listener.ListenerProcessId!.Value });
        }
        for (var n = 1; n <= 20; n++) (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n } })).AssertOk();

        var seen = await PubsAsync(subscriber, 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), seen.Select(Offset));
        await Eventually.TrueAsync(() => listener.Connects > connects, "the listener reconnects");
    }
}
