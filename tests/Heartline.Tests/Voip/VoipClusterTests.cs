using Heartline.Tests.Cluster;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using Heartline.Voip;
using Microsoft.Extensions.DependencyInjection;
using static Heartline.Tests.Voip.VoipTestKit;

namespace Heartline.Tests.Voip;

/// <summary>Calls between guests on two nodes over one PostgreSQL: the call and line leases decide once, whichever node.</summary>
[Collection(PostgresCollection.Name)]
public sealed class VoipClusterTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _schema = "";
    private HeartlineServer _a = null!;
    private HeartlineServer _b = null!;
    private HttpClient _httpA = null!;
    private HttpClient _httpB = null!;

    public async Task InitializeAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        _a = await ClusterNodes.StartAsync(_schema, "voip-a");
        _b = await ClusterNodes.StartAsync(_schema, "voip-b");
        _httpA = _a.CreateHttpClient();
        _httpB = _b.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _httpA.Dispose();
        _httpB.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await postgres.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task Call_AcrossNodes_RingsAcceptsSignalsAndEnds_AndBusyHoldsAcrossNodes()
    {
        var x = await AdmitAndConnectAsync(_a, _httpA, "X on A");
        var y = await AdmitAndConnectAsync(_b, _httpB, "Y on B");
        var z = await AdmitAndConnectAsync(_a, _httpA, "Z on A");

        var callId = await EstablishAsync(x, y);
        Assert.Equal("voip_busy", (await z.Socket.RequestAsync("voip.call", new { to = y.Id })).ErrorCode);
        (await y.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "answer", data = new { type = "answer", sdp = "from B" } })).AssertOk();
        Assert.Equal("from B", (await x.Socket.NextEventAsync("signal")).GetProperty("data").GetProperty("sdp").GetString());
        (await x.Socket.RequestAsync("voip.hangup", new { call_id = callId })).AssertOk();
        Assert.Equal("hangup", (await y.Socket.NextEventAsync("ended", callId)).GetProperty("reason").GetString());
        // The lines are free on both nodes.
        await EstablishAsync(z, y);
    }

    [Fact]
    public async Task Glare_AcrossNodes_OneCall()
    {
        for (var round = 0; round < 5; round++)
        {
            var x = await AdmitAndConnectAsync(_a, _httpA, "X" + round);
            var y = await AdmitAndConnectAsync(_b, _httpB, "Y" + round);
            var replies = await Task.WhenAll(
                x.Socket.RequestAsync("voip.call", new { to = y.Id }),
                y.Socket.RequestAsync("voip.call", new { to = x.Id }));
            foreach (var reply in replies) reply.AssertOk();
            var callId = replies[0].Result.GetProperty("call_id").GetString();
            Assert.Equal(callId, replies[1].Result.GetProperty("call_id").GetString());
            Assert.Single(replies, r => r.Result.GetProperty("glare").GetBoolean());
            await x.Socket.NextEventAsync("accepted", callId);
            await y.Socket.NextEventAsync("accepted", callId);
        }
    }

    [Fact]
    public async Task RemovedOnOneNode_IsClosedByTheOtherNodesLivenessCheck()
    {
        var y = await AdmitAndConnectAsync(_b, _httpB, "Y on B");
        using var admin = _a.CreateHttpClient(_a.Token("boss", role: Roles.Admin));
        var removed = await JsonAsync(await admin.DeleteAsync($"/auth/guest/{y.Id}"));
        Assert.Equal(1, removed.GetProperty("removed").GetInt32());
        Assert.Equal(0, removed.GetProperty("disconnected").GetInt32()); // not connected on A
        await _b.Services.GetRequiredService<GuestLiveness>().SweepAsync(CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(4503, await y.Socket.WaitClosedAsync(Wait));
    }
}
