using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Cluster;

/// <summary>Cluster nodes for tests: in process (several per test process) or as child processes (to kill -9).</summary>
internal static class ClusterNodes
{
    /// <summary>The settings of a cluster node on <paramref name="connectionString"/>, with fast liveness for tests.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, string nodeId, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = connectionString,
            ["Cluster:Enabled"] = "true",
            ["Presence:NodeId"] = nodeId,
            ["Cluster:HeartbeatIntervalSeconds"] = "1",
            ["Cluster:NodeTimeoutSeconds"] = "3",
            ["Realtime:ConnectRatePerIp"] = "100000",
            ["Realtime:CommandRatePerSecond"] = "10000",
            ["Realtime:CommandBurst"] = "10000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    public static Task<HeartlineServer> StartAsync(string connectionString, string nodeId, IDictionary<string, string?>? extra = null,
        Action<IServiceCollection>? services = null) =>
        HeartlineServer.StartAsync(Settings(connectionString, nodeId, extra), services: services);

    /// <summary>The command-line arguments of a child-process node.</summary>
    public static string[] Arguments(string connectionString, string nodeId, IDictionary<string, string?>? extra = null) =>
        [.. Settings(connectionString, nodeId, extra).SelectMany(s => new[] { "--" + s.Key, s.Value ?? "" })];

    /// <summary>Tokens as every node accepts them (the development key is shared by all test nodes).</summary>
    public static readonly TokenIssuer Tokens = new(Options.Create(new AuthOptions()), TimeProvider.System);

    public static string Token(string userId, string role = Roles.PickupDriver, string office = "o1", string? name = null) =>
        Tokens.Mint(userId, name ?? userId, role, "r1", office, TimeSpan.FromHours(1));

    /// <summary>Opens a socket to <paramref name="baseAddress"/> and completes <c>connect</c>.</summary>
    public static async Task<WsClient> ConnectAsync(Uri baseAddress, string userId, string role = Roles.PickupDriver, string office = "o1",
        string? name = null)
    {
        var client = await WsClient.OpenAsync(new Uri($"ws://{baseAddress.Authority}/ws"));
        var reply = await client.RequestAsync("connect", new { token = Token(userId, role, office, name) });
        reply.AssertOk();
        client.ConnectionId = reply.Result.GetProperty("connection_id").GetString();
        return client;
    }

    /// <summary>Connects and subscribes to the office's PTT channel, as the SDKs do.</summary>
    public static async Task<WsClient> MemberAsync(Uri baseAddress, string userId, string role = Roles.PickupDriver, string office = "o1",
        string? name = null)
    {
        var client = await ConnectAsync(baseAddress, userId, role, office, name);
        (await client.RequestAsync("subscribe", new { channel = $"ptt:r1_{office}" })).AssertOk();
        return client;
    }
}
