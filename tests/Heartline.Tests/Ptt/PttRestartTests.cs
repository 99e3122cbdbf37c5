using Heartline.Core.Auth;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Integration;
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
            // Both the session row and the speaker's release action reach the disk shortly after the grant.
            await Eventually.TrueAsync(() => RestartTests.Scalar<long>(databasePath,
                $"SELECT COUNT(*) FROM ptt_sessions WHERE session_id = '{sessionId}'") == 1
                && RestartTests.Scalar<long>(databasePath, "SELECT COUNT(*) FROM disconnect_actions") == 1, "the grant is stored");

            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

            await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);

            Assert.Equal("server_restart", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM ptt_sessions WHERE session_id = '{sessionId}'"));
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
}
