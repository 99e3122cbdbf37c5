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
    [Fact]
    public async Task Restart_AfterCrashWithTheFloorHeld_EndsTheSessionWithServerRestart()
    {
        var databasePath = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        var port = ServerProcess.FreePort();
        using var crashed = ServerProcess.Start(databasePath, port);
        try
        {
            await ServerProcess.WaitReadyAsync(port);
            var tokens = new TokenIssuer(Options.Create(new AuthOptions()), TimeProvider.System);
            var uri = new Uri($"ws://127.0.0.1:{port}/ws");
            await using var speaker = await WsClient.OpenAsync(uri);
            (await speaker.RequestAsync("connect", new { token = tokens.Mint("drv1", "drv1", Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) })).AssertOk();
            await using var listener = await WsClient.OpenAsync(uri);
            (await listener.RequestAsync("connect", new { token = tokens.Mint("drv2", "drv2", Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) })).AssertOk();
            var press = await speaker.PressAsync();
            var sessionId = press.GetProperty("session_id").GetString()!;

            // The grant is acknowledged once stored (docs/protocol.md 10.2): killed right after the reply, the server
            // still finds the session and the speaker's release action at the next start.
            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

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
        finally
        {
            if (!crashed.HasExited) crashed.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Release_AcknowledgedThenCrash_StaysAReleaseAfterRestart()
    {
        var databasePath = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        var port = ServerProcess.FreePort();
        using var crashed = ServerProcess.Start(databasePath, port);
        try
        {
            await ServerProcess.WaitReadyAsync(port);
            var tokens = new TokenIssuer(Options.Create(new AuthOptions()), TimeProvider.System);
            await using var speaker = await WsClient.OpenAsync(new Uri($"ws://127.0.0.1:{port}/ws"));
            (await speaker.RequestAsync("connect", new { token = tokens.Mint("drv1", "drv1", Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) })).AssertOk();
            var press = await speaker.PressAsync();
            var sessionId = press.GetProperty("session_id").GetString()!;
            var released = await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() });
            Assert.True(released.Result.GetProperty("released").GetBoolean());

            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);
            await restarted.Services.GetRequiredService<IEventLog>().FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal("released", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM ptt_sessions WHERE session_id = '{sessionId}'"));
            Assert.Equal(1, RestartTests.Scalar<long>(databasePath,
                $"SELECT COUNT(*) FROM events WHERE type = 'SESSION_ENDED' AND session_id = '{sessionId}'"));
            Assert.Equal(0, RestartTests.Scalar<long>(databasePath,
                $"SELECT COUNT(*) FROM events WHERE session_id = '{sessionId}' AND metadata LIKE '%server_restart%'"));
        }
        finally
        {
            if (!crashed.HasExited) crashed.Kill(entireProcessTree: true);
        }
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
