using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Microsoft.Extensions.Logging.Abstractions;

namespace Heartline.Tests.Infrastructure;

/// <summary>Connections without a network, for unit tests of engines that only enqueue frames.</summary>
internal static class TestConnections
{
    private static int s_next;

    public static ClientConnection Create(TimeProvider time, Principal? user = null, RealtimeOptions? options = null)
    {
        var socket = WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true });
        var id = "c_test" + Interlocked.Increment(ref s_next);
        var connection = new ClientConnection(id, socket, "127.0.0.1", options ?? new RealtimeOptions(), time,
            new HeartlineMetrics(new TestMeterFactory()), NullLogger.Instance);
        if (user is not null)
        {
            string[] scopes = user.Claim("region") is { } region && user.Claim("office") is { } office ? [region + "_" + office] : [];
            connection.Authenticate(user, scopes, user.Role, "test-device", "tests");
        }
        return connection;
    }

    public static Principal User(string userId, string office = "o1", string role = Roles.PickupDriver, string region = "r1") =>
        TestIdentity.Principal(userId, office, role, region);

    /// <summary>Takes every queued text frame, parsed.</summary>
    public static List<JsonElement> Drain(this ClientConnection connection)
    {
        var result = new List<JsonElement>();
        while (connection.TryTakeQueued(out var frame))
        {
            if (!frame.Binary) result.Add(JsonDocument.Parse(Encoding.UTF8.GetString(frame.Data.Span)).RootElement.Clone());
        }
        return result;
    }
}

internal sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

    public void Dispose() { }
}
