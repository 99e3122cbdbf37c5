using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

public sealed class RestartTests
{
    /// <summary>
    /// A single node cleans up whatever an earlier process left, even under another node id: the default id is the
    /// machine name, which a container gets anew on every start.
    /// </summary>
    [Theory]
    [InlineData("test-node")]
    [InlineData("old-container-7f3a")]
    public async Task Start_AfterTheProcessWasKilled_ClosesWhatItLeftOpenWithServerRestart(string crashedNodeId)
    {
        var databasePath = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        var port = ServerProcess.FreePort();
        using var crashed = ServerProcess.Start(databasePath, port, "--Presence:NodeId", crashedNodeId);
        try
        {
            await ServerProcess.WaitReadyAsync(port);
            var uri = new Uri($"ws://127.0.0.1:{port}/ws");
            await using var client = await WsClient.OpenAsync(uri);
            // The child process runs in Testing with the development key, so a token minted with defaults verifies.
            var tokens = new TokenIssuer(Options.Create(new AuthOptions()), TimeProvider.System);
            var reply = await client.RequestAsync("connect", new { token = tokens.Mint("u1", "u1", Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) });
            reply.AssertOk();
            var connectionId = reply.Result.GetProperty("connection_id").GetString()!;

            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, CountOpen(databasePath));

            await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);

            Assert.Equal(0, CountOpen(databasePath));
            Assert.Equal(DisconnectReasons.ServerRestart, EndReason(databasePath, connectionId));
            // The crashed process never announced u1 offline: the restart does.
            await restarted.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, Scalar<long>(databasePath, "SELECT COUNT(*) FROM events WHERE type = 'USER_OFFLINE' AND user_id = 'u1'"));
        }
        finally
        {
            if (!crashed.HasExited) crashed.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task ConnectionEnd_IsRecordedWithWhoEndedIt()
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:MaxMessageBytes"] = "1024",
        });
        await using var closing = await server.ConnectAsync("u1");
        await using var dropped = await server.ConnectAsync("u2");
        await using var oversized = await server.ConnectAsync("u3");

        await closing.CloseAsync();
        dropped.Abort();
        await oversized.SendTextAsync(new string('x', 4096));
        Assert.Equal(4502, await oversized.WaitClosedAsync());

        await Eventually.TrueAsync(() => CountOpen(server.DatabasePath) == 0, "all three connections ended");
        Assert.Equal(DisconnectReasons.ClientClosed, EndReason(server.DatabasePath, closing.ConnectionId!));
        Assert.Equal(DisconnectReasons.ConnectionLost, EndReason(server.DatabasePath, dropped.ConnectionId!));
        Assert.Equal("closed:frame_too_large", EndReason(server.DatabasePath, oversized.ConnectionId!));
    }

    [Fact]
    public async Task Stop_Gracefully_ClosesClientsWithShutdownAndEndsTheirConnections()
    {
        var server = await HeartlineServer.StartAsync();
        await using var client = await server.ConnectAsync("u1");

        var stopping = server.StopAsync();
        var code = await client.WaitClosedAsync();
        await stopping;
        await server.DisposeAsync();

        Assert.Equal(4000, code);
        Assert.Equal(0, CountOpen(server.DatabasePath));
        Assert.Equal(DisconnectReasons.ServerShutdown, EndReason(server.DatabasePath, client.ConnectionId!));
        // Offline is announced at shutdown, not after a grace the process would not live to see.
        Assert.Equal(1, Scalar<long>(server.DatabasePath, "SELECT COUNT(*) FROM events WHERE type = 'USER_OFFLINE' AND user_id = 'u1'"));
    }

    /// <summary>
    /// Shutdown waits for each connection's teardown (here: its row being ended, held back by a gate), not merely for
    /// the connection to leave the registry, and not on the server's clock, which never moves here.
    /// </summary>
    [Fact]
    public async Task Stop_WaitsForTeardownsToFinish_OnAStoppedClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gate = new GatedEnd();
        var server = await HeartlineServer.StartAsync(services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<IConnectionStore>(sp => gate.Wrap(ActivatorUtilities.CreateInstance<SqlConnectionStore>(sp)));
        });
        await using var client = await server.ConnectAsync("u1");

        var stopping = server.StopAsync();
        Assert.Equal(4000, await client.WaitClosedAsync());
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // Nothing can be awaited for "not finished": give a premature stop a bounded chance to show itself.
        Assert.NotSame(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromMilliseconds(300))));

        gate.Release.TrySetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await server.DisposeAsync();

        Assert.Equal(DisconnectReasons.ServerShutdown, EndReason(server.DatabasePath, client.ConnectionId!));
    }

    /// <summary>
    /// The handshake timer closes a connection (4003) while its row is still being written: when the write returns, the
    /// connection must not go online (no USER_ONLINE, no observers) and its row is ended.
    /// </summary>
    [Fact]
    public async Task Connect_ClosedByTheHandshakeTimerWhileItsRowWasWritten_NeverGoesOnline()
    {
        var gate = new GatedEnd { GatedAddOfUser = "slow" };
        await using var server = await HeartlineServer.StartAsync(
            new Dictionary<string, string?> { ["Realtime:HandshakeTimeoutSeconds"] = "1" },
            services: s => s.AddSingleton<IConnectionStore>(sp => gate.Wrap(ActivatorUtilities.CreateInstance<SqlConnectionStore>(sp))));
        await using var slow = await WsClient.OpenAsync(server.WebSocketUri);

        await slow.SendTextAsync($"{{\"id\":1,\"cmd\":\"connect\",\"args\":{{\"token\":\"{server.Token("slow")}\"}}}}");
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4003, await slow.WaitClosedAsync(TimeSpan.FromSeconds(10)));
        gate.Release.TrySetResult();

        await Eventually.TrueAsync(() => Scalar<long>(server.DatabasePath,
            "SELECT COUNT(*) FROM connections WHERE user_id = 'slow' AND ended_at IS NOT NULL") == 1, "the slow connection's row written and ended");
        await server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Scalar<long>(server.DatabasePath, "SELECT COUNT(*) FROM events WHERE type = 'USER_ONLINE' AND user_id = 'slow'"));
        Assert.Equal("closed:handshake_timeout",
            Scalar<string?>(server.DatabasePath, "SELECT end_reason FROM connections WHERE user_id = 'slow'"));
    }

    private sealed class GatedEnd
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>When set, the row of this user's connection is held back on <c>AddAsync</c> instead of <c>EndAsync</c>.</summary>
        public string? GatedAddOfUser { get; init; }

        public IConnectionStore Wrap(IConnectionStore inner) => new Store(inner, this);

        private sealed class Store(IConnectionStore inner, GatedEnd gate) : IConnectionStore
        {
            public async Task AddAsync(ConnectionRecord connection, CancellationToken cancellationToken = default)
            {
                if (connection.UserId == gate.GatedAddOfUser)
                {
                    gate.Entered.TrySetResult();
                    await gate.Release.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
                }
                await inner.AddAsync(connection, cancellationToken);
            }

            public async Task EndAsync(string connectionId, long endedAt, string reason, CancellationToken cancellationToken = default)
            {
                if (gate.GatedAddOfUser is not null)
                {
                    await inner.EndAsync(connectionId, endedAt, reason, cancellationToken);
                    return;
                }
                gate.Entered.TrySetResult();
                await gate.Release.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
                await inner.EndAsync(connectionId, endedAt, reason, cancellationToken);
            }

            public Task AddScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default) =>
                inner.AddScopeAsync(connectionId, scope, cancellationToken);

            public Task RemoveScopeAsync(string connectionId, string scope, CancellationToken cancellationToken = default) =>
                inner.RemoveScopeAsync(connectionId, scope, cancellationToken);

            public Task<long> CountOpenAsync(string nodeId, long connectedAtMs, CancellationToken cancellationToken = default) =>
                inner.CountOpenAsync(nodeId, connectedAtMs, cancellationToken);

            public Task<IReadOnlyList<ConnectionRecord>> ListOpenAsync(string? nodeId, CancellationToken cancellationToken = default) =>
                inner.ListOpenAsync(nodeId, cancellationToken);

            public Task<int> PurgeEndedAsync(long endedBefore, int limit, CancellationToken cancellationToken = default) =>
                inner.PurgeEndedAsync(endedBefore, limit, cancellationToken);

            public Task AddActionAsync(DisconnectActionRecord action, CancellationToken cancellationToken = default) =>
                inner.AddActionAsync(action, cancellationToken);

            public Task<bool> RemoveActionAsync(string actionId, CancellationToken cancellationToken = default) =>
                inner.RemoveActionAsync(actionId, cancellationToken);

            public Task<IReadOnlyList<DisconnectActionRecord>> ListActionsAsync(string connectionId, CancellationToken cancellationToken = default) =>
                inner.ListActionsAsync(connectionId, cancellationToken);
        }
    }

    internal static long CountOpen(string databasePath) =>
        Scalar<long>(databasePath, "SELECT COUNT(*) FROM connections WHERE ended_at IS NULL");

    internal static string? EndReason(string databasePath, string connectionId) =>
        Scalar<string?>(databasePath, $"SELECT end_reason FROM connections WHERE connection_id = '{connectionId}'");

    internal static T Scalar<T>(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
