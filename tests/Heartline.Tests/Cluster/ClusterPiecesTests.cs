using Microsoft.Extensions.Time.Testing;
using System.Text;
using Dapper;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Tests.Cluster;

/// <summary>Pieces of cluster mode on their own: configuration checks and the shared log's trimming on a manual clock.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterPiecesTests(PostgresFixture postgres)
{
    private static ClusterOptionsValidator Validator(string provider) =>
        new(Options.Create(new StorageOptions { Provider = provider, ConnectionString = "Host=x" }));

    [Fact]
    public void Validate_EnabledOnSqlite_NamesTheSettingsAtFault()
    {
        var result = Validator(StorageProviders.Sqlite).Validate(null, new ClusterOptions { Enabled = true });

        Assert.True(result.Failed);
        Assert.Contains("Cluster:Enabled requires Storage:Provider=postgres", result.FailureMessage);
    }

    [Fact]
    public void Validate_TimeoutShorterThanTwoHeartbeats_OrABadAdvertiseUrl_Fails()
    {
        var result = Validator(StorageProviders.Postgres).Validate(null,
            new ClusterOptions { Enabled = true, HeartbeatIntervalSeconds = 5, NodeTimeoutSeconds = 6, AdvertiseUrl = "10.0.0.5:5080" });

        Assert.Contains("Cluster:NodeTimeoutSeconds", result.FailureMessage);
        Assert.Contains("Cluster:AdvertiseUrl", result.FailureMessage);
        Assert.True(Validator(StorageProviders.Sqlite).Validate(null, new ClusterOptions()).Succeeded);
    }

    [Fact]
    public async Task Start_WithClusterEnabledOnSqlite_IsRefusedWithAClearMessage()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Cluster:Enabled"] = "true" }));

        Assert.Contains("Cluster:Enabled requires Storage:Provider=postgres", error.Message);
    }

    [Fact]
    public async Task Subscribe_WhenTheSharedLogIsUnreachable_AnswersUnavailable_AndLeavesTheChannelUnsubscribed()
    {
        await using var server = await HeartlineServer.StartAsync(
            services: s => s.AddSingleton<IBroker>(new UnreachableLog()));
        await using var client = await server.ConnectAsync("u1");

        var first = await client.RequestAsync("subscribe", new { channel = "office:r1_o1" });
        var again = await client.RequestAsync("subscribe", new { channel = "office:r1_o1" });
        var publish = await client.RequestAsync("publish", new { channel = "office:r1_o1", data = 1 });

        Assert.Equal("unavailable", first.ErrorCode);
        Assert.Equal("unavailable", again.ErrorCode);
        Assert.Equal("unavailable", publish.ErrorCode);
        Assert.Empty(client.UnexpectedReplies);
    }

    private sealed class UnreachableException() : System.Data.Common.DbException("the database is unreachable");

    private sealed class UnreachableLog : IBroker
    {
        public void Attach(ChannelHub hub) { }
        public void Enqueue(string channel, byte[] data) { }
        public ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken) =>
            ValueTask.FromException<StreamPosition>(new UnreachableException());
        public ValueTask<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken) =>
            ValueTask.FromException<StreamPosition>(new UnreachableException());
        public ValueTask<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken) =>
            ValueTask.FromException<IReadOnlyList<LoggedPublication>>(new UnreachableException());
        public void RequestDelivery(ChannelState state) { }
        public Task<int> TrimAsync(CancellationToken cancellationToken) => Task.FromResult(0);

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Trim_KeepsTheHistorySize_ButNothingYoungerThanTheRetention_AndNothingPastTheTtl()
    {
        var schema = await postgres.CreateSchemaAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var database = new PostgresDatabase(Options.Create(new StorageOptions { Provider = "postgres", ConnectionString = schema }),
            time, NullLoggerFactory.Instance);
        try
        {
            await database.MigrateAsync();
            var cluster = new ClusterDatabase(database, Options.Create(new PresenceOptions { NodeId = "n1" }));
            var clusterOptions = Options.Create(new ClusterOptions { Enabled = true, LogRetentionSeconds = 30 });
            var log = new PostgresBroker(cluster, clusterOptions, Options.Create(new ChannelOptions { HistorySize = 3, HistoryTtlSeconds = 300 }),
                time, NullLogger<PostgresBroker>.Instance);
            var trimmer = log;
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                await log.WriteAsync(connection, null, [.. Enumerable.Range(1, 10).Select(n =>
                    new PendingPublication("office:r1_o1", Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), now))], default);
            }

            Assert.Equal(0, await trimmer.TrimAsync(default));
            time.Advance(TimeSpan.FromSeconds(31));
            Assert.Equal(7, await trimmer.TrimAsync(default));
            Assert.Equal([8L, 9, 10], (await log.ReadAsync("office:r1_o1", 0, long.MaxValue, default)).Select(p => p.Offset));
            time.Advance(TimeSpan.FromSeconds(300));
            Assert.Equal(3, await trimmer.TrimAsync(default));
            // The head stays, with its epoch: offsets go on from 10.
            Assert.Equal(10, (await log.HeadAsync("office:r1_o1", default)).Offset);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DropSchemaAsync(schema);
        }
    }

    [Theory]
    [InlineData("tenant_a", "heartline_bus_tenant_a")]
    [InlineData("public", "heartline_bus_public")]
    public void NotifyName_OfAPlainSchema_IsReadable(string schema, string expected) =>
        Assert.Equal(expected, Heartline.Core.Cluster.ClusterDatabase.NotifyName("heartline_bus_", schema));

    [Fact]
    public void NotifyName_KeepsSchemasApart_ThatDifferOnlyInCharactersItCannotUse_OrBeyondItsLength()
    {
        string Name(string schema) => Heartline.Core.Cluster.ClusterDatabase.NotifyName("heartline_floor_", schema);
        var names = new[] { "tenant_a", "Tenant_A", "tenant-a", new string('x', 60) + "1", new string('x', 60) + "2" }.Select(Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.InRange(n.Length, 1, 63));
        Assert.All(names, n => Assert.Matches("^[a-z0-9_]+$", n));
    }

    [Fact]
    public void PeerCredential_HoldsForAMinute_ForItsNodeAndKeyOnly()
    {
        var key = new string('k', 40);
        var at = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        var header = PeerEndpoint.AuthorizationHeader(key, "node-a", at);

        Assert.True(PeerEndpoint.IsAuthorized(header, key, at));
        Assert.True(PeerEndpoint.IsAuthorized(header, key, at.AddSeconds(59)));
        Assert.False(PeerEndpoint.IsAuthorized(header, key, at.AddMinutes(2)));
        Assert.False(PeerEndpoint.IsAuthorized(header, new string('x', 40), at));
        Assert.False(PeerEndpoint.IsAuthorized(header.Replace("node-a", "node-b", StringComparison.Ordinal), key, at));
        // The old form without a time is refused.
        var parts = header.Split(' ');
        Assert.False(PeerEndpoint.IsAuthorized($"{parts[0]} {parts[1]} {parts[3]}", key, at));
    }
}
