using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartline.Bench.Cluster;

/// <summary>A Heartline node as a child process on a loopback port.</summary>
internal sealed class Node : IAsyncDisposable
{
    private readonly Process _process;

    private Node(string id, int port, Process process)
    {
        Id = id;
        Port = port;
        _process = process;
    }

    public string Id { get; }
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");

    public static async Task<Node> StartAsync(string serverDll, string connectionString, string id)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            serverDll, "--environment", "Testing", "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default", "Warning",
            "--Storage:Provider", "postgres", "--Storage:ConnectionString", connectionString, "--Cluster:Enabled", "true",
            "--Presence:NodeId", id, "--Realtime:ConnectRatePerIp", "100000", "--Realtime:CommandRatePerSecond", "100000",
            "--Realtime:CommandBurst", "100000",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine($"[{id}] {line}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"[{id}] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new Node(id, port, process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync(new Uri(node.Address, "/ready"))).IsSuccessStatusCode) return node;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        await node.DisposeAsync();
        throw new TimeoutException($"node {id} did not become ready in 60 s");
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
