using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartline.Tests.Infrastructure;

/// <summary>
/// A real TURN server (Debian's <c>coturn</c>, which ./test.sh installs) on loopback with the TURN REST API's shared
/// secret (<c>use-auth-secret</c>), for the relay-only call of the browser tests.
/// </summary>
internal sealed class Coturn : IDisposable
{
    public const string Binary = "/usr/bin/turnserver";

    private readonly Process _process;

    private Coturn(Process process, int port, string secret)
    {
        _process = process;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }

    public string Secret { get; }

    public string Url => $"turn:127.0.0.1:{Port}?transport=udp";

    public static async Task<Coturn> StartAsync()
    {
        Assert.True(File.Exists(Binary), $"coturn is missing at {Binary}: install Debian's package (`apt-get install coturn`; ./test.sh does).");
        var port = FreeUdpPort();
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        // Relay ports from a range of its own, above the listening port, so parallel runs don't collide.
        var minPort = 40000 + (port % 1000) * 20;
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}", $"--min-port={minPort}",
            $"--max-port={minPort + 19}", "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=heartline",
            "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--log-file=stdout", "--simple-log",
            $"--db={Path.Combine(Directory.CreateTempSubdirectory("heartline-turn").FullName, "turndb")}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            // Logged once its listeners and relay threads exist.
            if (e.Data?.Contains("Total General servers", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException("coturn did not report its UDP listener within 15 s");
        }
        return new Coturn(process, port, secret);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
