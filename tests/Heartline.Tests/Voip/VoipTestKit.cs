using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Voip;

/// <summary>A guest as a test holds it: its id, token, and its connection (subscribed to its inbox) once connected.</summary>
internal sealed record TestGuest(string Id, string Name, string Token)
{
    public WsClient Socket { get; set; } = null!;
}

/// <summary>Admitting guests, connecting them and reading their call events, against a real server.</summary>
internal static class VoipTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public static async Task<TestGuest> AdmitAsync(HttpClient http, string name, string? tenant = null)
    {
        using var response = await http.PostAsJsonAsync("/api/voip/guests", new { name, tenant }).WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return new TestGuest(body.GetProperty("guest_id").GetString()!, body.GetProperty("name").GetString()!, body.GetProperty("token").GetString()!);
    }

    /// <summary>Connects the guest and subscribes to its inbox (<c>voip:{id}</c>).</summary>
    public static async Task<TestGuest> ConnectAsync(Uri ws, TestGuest guest)
    {
        guest.Socket = await OpenAsync(ws, guest);
        return guest;
    }

    public static async Task<WsClient> OpenAsync(Uri ws, TestGuest guest)
    {
        var socket = await WsClient.OpenAsync(ws);
        (await socket.RequestAsync("connect", new { token = guest.Token })).AssertOk();
        (await socket.RequestAsync("subscribe", new { channel = "voip:" + guest.Id })).AssertOk();
        return socket;
    }

    public static async Task<TestGuest> AdmitAndConnectAsync(HeartlineServer server, HttpClient http, string name) =>
        await ConnectAsync(server.WebSocketUri, await AdmitAsync(http, name));

    /// <summary>The next call event of <paramref name="type"/> in the guest's inbox (earlier other events are skipped).</summary>
    public static Task<JsonElement> NextEventAsync(this WsClient socket, string type, TimeSpan? timeout = null) =>
        socket.NextEventAsync(type, null, timeout);

    /// <summary>The next call event of <paramref name="type"/> of the call <paramref name="callId"/> (any call when null).</summary>
    public static async Task<JsonElement> NextEventAsync(this WsClient socket, string type, string? callId, TimeSpan? timeout = null)
    {
        var push = await socket.NextPushAsync(p => p.TryGetProperty("push", out var t) && t.GetString() == "pub"
            && p.GetProperty("channel").GetString()!.StartsWith("voip:", StringComparison.Ordinal)
            && p.GetProperty("data").GetProperty("type").GetString() == type
            && (callId is null || p.GetProperty("data").GetProperty("call_id").GetString() == callId), timeout ?? Wait);
        return push.GetProperty("data");
    }

    public static async Task<string> CallAsync(this TestGuest caller, TestGuest callee, string media = "video")
    {
        var reply = await caller.Socket.RequestAsync("voip.call", new { to = callee.Id, media });
        reply.AssertOk();
        return reply.Result.GetProperty("call_id").GetString()!;
    }

    /// <summary>Caller rings callee, callee accepts; both saw <c>accepted</c>.</summary>
    public static async Task<string> EstablishAsync(TestGuest caller, TestGuest callee)
    {
        var callId = await caller.CallAsync(callee);
        Assert.Equal(callId, (await callee.Socket.NextEventAsync("incoming")).GetProperty("call_id").GetString());
        (await callee.Socket.RequestAsync("voip.accept", new { call_id = callId })).AssertOk();
        Assert.Equal(callId, (await caller.Socket.NextEventAsync("accepted")).GetProperty("call_id").GetString());
        Assert.Equal(callId, (await callee.Socket.NextEventAsync("accepted")).GetProperty("call_id").GetString());
        return callId;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait)).RootElement.Clone();

    public static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await JsonAsync(response)).GetProperty("code").GetString());
    }
}
