using Heartline.Client;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Client;

/// <summary>SDK clients for the real test server, with short reconnect delays so tests stay quick.</summary>
internal static class ClientKit
{
    public static HeartlineClientOptions Options(HeartlineServer server, string userId, string role = Roles.PickupDriver,
        Func<CancellationToken, ValueTask<string>>? tokenProvider = null) => new()
    {
        Uri = server.WebSocketUri,
        TokenProvider = tokenProvider ?? (_ => ValueTask.FromResult(server.Token(userId, role: role))),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<HeartlineClient> ConnectAsync(HeartlineClientOptions options)
    {
        var client = new HeartlineClient(options);
        await client.ConnectAsync().WaitAsync(EventQueue<object>.DefaultTimeout);
        return client;
    }
}
