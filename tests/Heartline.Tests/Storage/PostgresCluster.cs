using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartline.Tests.Storage;

/// <summary>
/// A throwaway PostgreSQL cluster in a temp directory on a free loopback port. PostgreSQL refuses to run as root, so
/// under uid 0 initdb and pg_ctl run as the <c>postgres</c> user (created by the Debian package) via runuser.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string directory, string binDirectory, bool asPostgresUser)
    {
        _directory = directory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
    }

    public string ConnectionString { get; private set; } = "";

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were found neither on PATH nor under " +
            "/usr/lib/postgresql/*/bin. Run ./test.sh, which installs them, or set HEARTLINE_TEST_PG to the " +
            "connection string of a server to test against.");
        var asRoot = Environment.IsPrivilegedProcess;
        // The postgres user must reach the directory, which a root-only TMPDIR would hide.
        var root = asRoot ? "/tmp" : Path.GetTempPath();
        var directory = Path.Combine(root, "heartline-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var cluster = new PostgresCluster(directory, bin, asRoot);
        try
        {
            if (asRoot)
                await RunAsync("chown", ["postgres:postgres", directory], directory);
            await cluster.RunPostgresToolAsync("initdb", "-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync");
            await cluster.StartServerAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartServerAsync()
    {
        // The free port may be taken between probing and binding; a retry picks another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FindFreePort();
            try
            {
                await RunPostgresToolAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"),
                    "-o", $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-t", "30",
                    "start");
                ConnectionString =
                    $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=15;Command Timeout=60";
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
                await RunPostgresToolAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task RunPostgresToolAsync(string tool, params string[] arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], _directory)
            : RunAsync(path, arguments, _directory);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        var output = string.Join('\n', await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10)));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with code {process.ExitCode}:\n{output}");
        }
    }

    private static string? FindBinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null)
            return onPath;

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
            return null;
        return Directory.GetDirectories(debianRoot)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
            .Where(d => File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Bin)
            .FirstOrDefault();
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
