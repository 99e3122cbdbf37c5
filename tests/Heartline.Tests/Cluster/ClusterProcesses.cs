using System.Collections.Concurrent;
using System.Diagnostics;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;

namespace Heartline.Tests.Cluster;

/// <summary>A node running as a child process (its own build of the server), so a test can kill it with SIGKILL.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NodeProcess(string nodeId, int port, Process process)
    {
        NodeId = nodeId;
        Port = port;
        _process = process;
    }

    public string NodeId { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>What the node wrote to stdout and stderr (warnings and errors), for failure messages.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    public static async Task<NodeProcess> StartAsync(string connectionString, string nodeId, IDictionary<string, string?>? extra = null)
    {
        var port = ServerProcess.FreePort();
        NodeProcess? node = null;
        var process = ServerProcess.StartWith(port, ClusterNodes.Arguments(connectionString, nodeId, extra), line => node?.Output.Enqueue(line));
        node = new NodeProcess(nodeId, port, process);
        try
        {
            await ServerProcess.WaitReadyAsync(port);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>kill -9: no shutdown, no disconnect actions, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}

/// <summary>
/// Three nodes as child processes on one PostgreSQL schema, shared by the tests of a class (each test uses its own
/// office) and started by the first of them.
/// </summary>
public sealed class ClusterProcesses : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NodeProcess[]? _nodes;

    internal string ConnectionString { get; private set; } = "";

    /// <summary>A short leave grace, so offline announcements come within a test.</summary>
    internal static readonly Dictionary<string, string?> Settings = new() { ["Presence:LeaveGraceSeconds"] = "1" };

    internal NodeProcess A => _nodes![0];
    internal NodeProcess B => _nodes![1];
    internal NodeProcess C => _nodes![2];

    internal async Task EnsureStartedAsync(PostgresFixture postgres)
    {
        await _gate.WaitAsync();
        try
        {
            if (_nodes is not null) return;
            ConnectionString = await postgres.CreateSchemaAsync();
            // The first node migrates the schema alone; the others then start together.
            var a = await NodeProcess.StartAsync(ConnectionString, "node-a", Settings);
            var others = await Task.WhenAll(NodeProcess.StartAsync(ConnectionString, "node-b", Settings),
                NodeProcess.StartAsync(ConnectionString, "node-c", Settings));
            _nodes = [a, .. others];
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes ?? []) await node.DisposeAsync();
        _gate.Dispose();
    }
}
