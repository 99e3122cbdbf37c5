using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Cluster;

/// <summary>A second process with a running node's <c>Presence:NodeId</c> refuses to start and leaves the first alone.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterNodeIdTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _schema = "";

    public async Task InitializeAsync() => _schema = await postgres.CreateSchemaAsync();

    public async Task DisposeAsync() => await postgres.DropSchemaAsync(_schema);

    [Fact]
    public async Task SecondNodeWithTheSameId_RefusesToStart_AndTheFirstKeepsItsConnections()
    {
        await using var first = await ClusterNodes.StartAsync(_schema, "same-id").WaitAsync(TimeSpan.FromSeconds(30));
        await using var client = await first.ConnectAsync("u1").WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ClusterNodes.StartAsync(_schema, "same-id").WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("Presence:NodeId 'same-id' is in use by another running node", error.Message);
        // Startup cleanup of the refused node never ran: the first node's connection is open and answers.
        (await client.RequestAsync("ping", new { }).WaitAsync(TimeSpan.FromSeconds(10))).AssertOk();
        Assert.Equal(1, first.Services.GetRequiredService<ConnectionRegistry>().Count);
    }

    [Fact]
    public async Task NodeRestartingAfterACleanStop_StartsAndServes()
    {
        var first = await ClusterNodes.StartAsync(_schema, "restarted").WaitAsync(TimeSpan.FromSeconds(30));
        await first.DisposeAsync();

        await using var again = await ClusterNodes.StartAsync(_schema, "restarted").WaitAsync(TimeSpan.FromSeconds(30));

        await using var client = await again.ConnectAsync("u1").WaitAsync(TimeSpan.FromSeconds(30));
        (await client.RequestAsync("ping", new { }).WaitAsync(TimeSpan.FromSeconds(10))).AssertOk();
    }
}
