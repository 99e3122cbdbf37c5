using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Ptt;

internal static class PttTestExtensions
{
    /// <summary>Connects like the SDKs do: connect, then subscribe to the office's PTT channel.</summary>
    public static async Task<WsClient> MemberAsync(this HeartlineServer server, string userId, string role = Roles.PickupDriver,
        string office = "o1", string? name = null, string? device = null)
    {
        var client = await server.ConnectAsync(userId, office, role, name: name, device: device);
        (await client.RequestAsync("subscribe", new { channel = $"ptt:r1_{office}" })).AssertOk();
        return client;
    }

    /// <summary>The next PTT publication of the given type (earlier other pushes are skipped).</summary>
    public static Task<JsonElement> NextPttAsync(this WsClient client, string type, TimeSpan? timeout = null) =>
        client.NextPushAsync(p => p.TryGetProperty("push", out var push) && push.GetString() == "pub"
            && p.GetProperty("data").TryGetProperty("type", out var t) && t.GetString() == type, timeout)
            .ContinueWith(t => t.Result.GetProperty("data"), TaskScheduler.Default);

    public static async Task<JsonElement> PressAsync(this WsClient client)
    {
        var reply = await client.RequestAsync("ptt.press");
        reply.AssertOk();
        return reply.Result;
    }
}
