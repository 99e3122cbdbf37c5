using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartline.Tests.Infrastructure;

/// <summary>The server as a child process (the test's own build of it), for tests that kill it with SIGKILL.</summary>
internal static class ServerProcess
{
    public static Process Start(string databasePath, int port, params string[] extra)
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
        }.Concat(extra))
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

    /// <summary>
    /// Starts the server with exactly <paramref name="arguments"/> (and the test environment) on <paramref name="port"/>;
    /// its output lines go to <paramref name="output"/> for diagnostics.
    /// </summary>
    public static Process StartWith(int port, IEnumerable<string> arguments, Action<string>? output = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Heartline.Server.dll"), "--environment", "Testing",
                     "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default", "Warning" }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitReadyAsync(int port)
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

}
