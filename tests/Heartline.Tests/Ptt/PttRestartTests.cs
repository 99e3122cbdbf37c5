using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Ptt;

public sealed class PttRestartTests
{
    /// <summary>The server as a child process on a fresh database, to be killed with SIGKILL; connects members to it.</summary>
    private sealed class Crashable : IDisposable
    {
        private readonly TokenIssuer _tokens = new(Options.Create(new AuthOptions()), TimeProvider.System);
        private readonly int _port = ServerProcess.FreePort();

        public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");

        public System.Diagnostics.Process Process { get; }

        private Crashable() => Process = ServerProcess.Start(DatabasePath, _port);

        public static async Task<Crashable> StartAsync()
        {
            var server = new Crashable();
            await ServerProcess.WaitReadyAsync(server._port);
            return server;
        }

        public async Task<WsClient> MemberAsync(string userId)
        {
            var client = await WsClient.OpenAsync(new Uri($"ws://127.0.0.1:{_port}/ws"));
            (await client.RequestAsync("connect", new { token = _tokens.Mint(userId, userId, Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) })).AssertOk();
            return client;
        }

        public async Task KillAsync()
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
    [Fact]
    public async Task Restart_AfterCrashWithTheFloorHeld_EndsTheSessionWithServerRestart()
    {
        using var crashed = await Crashable.StartAsync();
        var databasePath = crashed.DatabasePath;
        await using var speaker = await crashed.MemberAsync("drv1");
        await using var listener = await crashed.MemberAsync("drv2");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString()!;

        // The grant is acknowledged once stored (docs/protocol.md 10.2): killed right after the reply, the server
        // still finds the session and the speaker's release action at the next start.
        await crashed.KillAsync();

        await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);

        Assert.Equal("server_restart", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM ptt_sessions WHERE session_id = '{sessionId}'"));
        // The event log tells the same story as the table: one SESSION_ENDED, with the reason.
        await restarted.Services.GetRequiredService<IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, RestartTests.Scalar<long>(databasePath,
            $"SELECT COUNT(*) FROM events WHERE type = 'SESSION_ENDED' AND session_id = '{sessionId}' AND metadata LIKE '%server_restart%'"));
        Assert.Equal(1, RestartTests.Scalar<long>(databasePath,
            $"SELECT COUNT(*) FROM events WHERE type = 'SESSION_STARTED' AND session_id = '{sessionId}'"));
        Assert.Equal(0, RestartTests.Scalar<long>(databasePath, "SELECT COUNT(*) FROM ptt_participants WHERE left_at IS NULL"));
        Assert.Equal(0, RestartTests.Scalar<long>(databasePath, "SELECT COUNT(*) FROM disconnect_actions"));
        Assert.Equal(0, RestartTests.CountOpen(databasePath));
        await using var again = await restarted.MemberAsync("drv3");
        await again.PressAsync();
    }

    [Fact]
    public async Task Release_AcknowledgedThenCrash_StaysAReleaseAfterRestart()
    {
        using var crashed = await Crashable.StartAsync();
        var databasePath = crashed.DatabasePath;
        await using var speaker = await crashed.MemberAsync("drv1");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString()!;
        var released = await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() });
        Assert.True(released.Result.GetProperty("released").GetBoolean());

        await crashed.KillAsync();
        await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);
        await restarted.Services.GetRequiredService<IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("released", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM ptt_sessions WHERE session_id = '{sessionId}'"));
        Assert.Equal(1, RestartTests.Scalar<long>(databasePath,
            $"SELECT COUNT(*) FROM events WHERE type = 'SESSION_ENDED' AND session_id = '{sessionId}'"));
        Assert.Equal(0, RestartTests.Scalar<long>(databasePath,
            $"SELECT COUNT(*) FROM events WHERE session_id = '{sessionId}' AND metadata LIKE '%server_restart%'"));
    }

    [Fact]
    public async Task GracefulStop_ListenersGetSessionEnded_BeforeTheShutdownClose()
    {
        await using var server = await HeartlineServer.StartAsync();
        await using var speaker = await server.MemberAsync("drv1");
        await using var listener = await server.MemberAsync("drv2");
        var press = await speaker.PressAsync();
        await listener.NextPttAsync("session_started");

        var stopping = server.StopAsync();
        var ended = await listener.NextPttAsync("session_ended");
        await stopping;

        Assert.Equal(press.GetProperty("session_id").GetString(), ended.GetProperty("session_id").GetString());
        Assert.Equal("server_restart", ended.GetProperty("reason").GetString());
        // Then the close, after every frame queued before it: reconnect with backoff.
        Assert.Equal(4000, await listener.WaitClosedAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("server_restart", RestartTests.Scalar<string?>(server.DatabasePath,
            $"SELECT end_reason FROM ptt_sessions WHERE session_id = '{press.GetProperty("session_id").GetString()}'"));
    }
}
