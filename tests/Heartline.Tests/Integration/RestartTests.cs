using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Heartline.Server.Auth;
using Heartline.Server.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

public sealed class RestartTests
{
    [Fact]
    public async Task Start_AfterTheProcessWasKilled_ClosesWhatItLeftOpenWithServerRestart()
    {
        var databasePath = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        var port = FreePort();
        using var crashed = StartServerProcess(databasePath, port);
        try
        {
            await WaitHealthyAsync(port);
            var uri = new Uri($"ws://127.0.0.1:{port}/ws");
            await using var client = await WsClient.OpenAsync(uri);
            // The child process runs in Testing with the development key, so a token minted with defaults verifies.
            var tokens = new TokenService(Options.Create(new AuthOptions()), TimeProvider.System);
            var reply = await client.RequestAsync("connect", new { token = tokens.Mint("u1", "u1", Roles.PickupDriver, "r1", "o1", TimeSpan.FromHours(1)) });
            reply.AssertOk();
            var connectionId = reply.Result.GetProperty("connection_id").GetString()!;

            crashed.Kill(entireProcessTree: true);
            await crashed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, CountOpen(databasePath));

            await using var restarted = await HeartlineServer.StartAsync(databasePath: databasePath);

            Assert.Equal(0, CountOpen(databasePath));
            Assert.Equal(DisconnectReasons.ServerRestart, EndReason(databasePath, connectionId));
        }
        finally
        {
            if (!crashed.HasExited) crashed.Kill(entireProcessTree: true);
        }
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
    }

    private static Process StartServerProcess(string databasePath, int port)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Heartline.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "--environment", "Testing", "--urls", $"http://127.0.0.1:{port}", "--Storage:ConnectionString",
            $"Data Source={databasePath}", "--Presence:NodeId", "test-node", "--Logging:LogLevel:Default", "Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the server process did not become ready in 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long CountOpen(string databasePath) =>
        Scalar<long>(databasePath, "SELECT COUNT(*) FROM connections WHERE ended_at IS NULL");

    private static string? EndReason(string databasePath, string connectionId) =>
        Scalar<string?>(databasePath, $"SELECT end_reason FROM connections WHERE connection_id = '{connectionId}'");

    private static T Scalar<T>(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
