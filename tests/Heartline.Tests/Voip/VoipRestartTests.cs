using System.Net.Http.Json;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Integration;
using static Heartline.Tests.Voip.VoipTestKit;

namespace Heartline.Tests.Voip;

/// <summary><c>kill -9</c> of a server with a call going: what the next start ends, keeps and purges.</summary>
public sealed class VoipRestartTests
{
    [Fact]
    public async Task Restart_AfterCrashMidCall_EndsTheCallWithServerRestart_AndGuestsMayComeBackWithinTheWindow()
    {
        var port = ServerProcess.FreePort();
        var databasePath = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        using var crashed = ServerProcess.Start(databasePath, port, "--Realtime:ConnectRatePerIp", "1000");
        string callId;
        TestGuest a, b, idle;
        try
        {
            await ServerProcess.WaitReadyAsync(port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Wait };
            var ws = new Uri($"ws://127.0.0.1:{port}/ws");
            a = await ConnectAsync(ws, await AdmitAsync(http, "A"));
            b = await ConnectAsync(ws, await AdmitAsync(http, "B"));
            idle = await AdmitAsync(http, "Never connected");
            callId = await EstablishAsync(a, b);
            // The answer is written behind the lease's decision: wait until it is on disk, then crash.
            for (var deadline = DateTime.UtcNow + Wait;
                 RestartTests.Scalar<long>(databasePath, $"SELECT COUNT(*) FROM voip_calls WHERE id = '{callId}' AND answered_at IS NOT NULL") == 0;
                 await Task.Delay(20))
                Assert.True(DateTime.UtcNow < deadline, "the answered call never reached the database");
        }
        finally
        {
            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(Wait);
        }
        a.Socket.Abort();
        b.Socket.Abort();

        await using var restarted = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" },
            databasePath: databasePath);
        Assert.Equal("server_restart", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM voip_calls WHERE id = '{callId}'"));
        // The guests that were connected keep their ids for the reclaim window, which starts at the restart; the
        // start-up cleanup removed the guest whose window had long ended (admitted, never connected)... or not yet:
        Assert.Equal(1, RestartTests.Scalar<long>(databasePath, $"SELECT COUNT(*) FROM voip_guests WHERE id = '{a.Id}' AND disconnected_at IS NOT NULL"));
        Assert.Equal(0, RestartTests.Scalar<long>(databasePath, "SELECT COUNT(*) FROM disconnect_actions"));

        // A comes back with its token and calls B again once B is back too.
        await ConnectAsync(restarted.WebSocketUri, a);
        await ConnectAsync(restarted.WebSocketUri, b);
        var again = await EstablishAsync(a, b);
        Assert.NotEqual(callId, again);
        Assert.Equal(1, RestartTests.Scalar<long>(databasePath, $"SELECT COUNT(*) FROM voip_guests WHERE id = '{idle.Id}'"));

        // The purges after a restart: stale guests go (the one that never connected), connected ones stay; the call
        // records the crash ended go with the other ended ones, the ongoing call's stays.
        using var admin = restarted.CreateHttpClient(restarted.Token("boss", role: Roles.Admin));
        var soon = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        var stale = await JsonAsync(await admin.DeleteAsync($"/auth/guest/cleanup?before={soon}"));
        Assert.Equal(1, stale.GetProperty("removed").GetInt32());
        Assert.Equal(0, RestartTests.Scalar<long>(databasePath, $"SELECT COUNT(*) FROM voip_guests WHERE id = '{idle.Id}'"));
        var records = await JsonAsync(await admin.DeleteAsync("/guests/cleanup-all"));
        Assert.Equal(1, records.GetProperty("removed").GetInt32());
        Assert.Equal(again, RestartTests.Scalar<string?>(databasePath, "SELECT id FROM voip_calls"));
    }
}

/// <summary>A graceful stop of a single node: its leases go with it, so its calls end, told before the sockets close.</summary>
public sealed class VoipGracefulStopTests
{
    [Fact]
    public async Task GracefulStop_EndsCallsWithServerRestartBeforeClosing_AndStartUpEndsRecordsNoLeaseHolds()
    {
        var server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" });
        var databasePath = server.DatabasePath;
        string callId;
        try
        {
            using var http = server.CreateHttpClient();
            var a = await AdmitAndConnectAsync(server, http, "A");
            var b = await AdmitAndConnectAsync(server, http, "B");
            callId = await EstablishAsync(a, b);
            var stopping = server.StopAsync();
            Assert.Equal("server_restart", (await a.Socket.NextEventAsync("ended", callId)).GetProperty("reason").GetString());
            Assert.Equal("server_restart", (await b.Socket.NextEventAsync("ended", callId)).GetProperty("reason").GetString());
            Assert.Equal(4000, await a.Socket.WaitClosedAsync(Wait));
            await stopping.WaitAsync(Wait);
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.Equal("server_restart", RestartTests.Scalar<string?>(databasePath, $"SELECT end_reason FROM voip_calls WHERE id = '{callId}'"));

        // A record left open without its lease (a stop that could not finish its actions): ended at the next start.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath}"))
        {
            db.Open();
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO voip_calls (id, tenant, caller_id, callee_id, media, created_at) VALUES ('orphan', 'public', 'x', 'y', 'audio', 1)";
            insert.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);
        Assert.Equal("server_restart", RestartTests.Scalar<string?>(databasePath, "SELECT end_reason FROM voip_calls WHERE id = 'orphan'"));
    }
}
