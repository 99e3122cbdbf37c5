using System.Net;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Integration;

public sealed class HandshakeTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    // The default handshake timeout (5 s): a 1 s one would close a connection whose connect met a busy machine
    // (the first requests of a run compile the handshake path) before the test's own assertion.
    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connect_WithValidToken_ReturnsIdentityAndLimits()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);

        var reply = await client.RequestAsync("connect", new { token = _server.Token("u1", name: "김기사"), device = "Galaxy S21", app_type = "pickup_driver" });

        reply.AssertOk();
        var user = reply.Result.GetProperty("user");
        Assert.Equal("u1", user.GetProperty("user_id").GetString());
        Assert.Equal("김기사", user.GetProperty("name").GetString());
        Assert.Equal("r1_o1", user.GetProperty("office").GetString());
        Assert.StartsWith("c_", reply.Result.GetProperty("connection_id").GetString());
        Assert.Equal(25_000, reply.Result.GetProperty("ping_interval_ms").GetInt64());
        Assert.Equal(65_536, reply.Result.GetProperty("max_message_bytes").GetInt32());
        Assert.True((await client.RequestAsync("ping")).IsOk);
    }

    [Fact]
    public async Task Connect_NotSentInTime_ClosesWithHandshakeTimeout()
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:HandshakeTimeoutSeconds"] = "1",
        });
        await using var client = await WsClient.OpenAsync(server.WebSocketUri);

        Assert.Equal(4003, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Command_BeforeConnect_RepliesNotConnectedAndClosesWithProtocolError()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);

        var reply = await client.RequestAsync("ping");

        Assert.Equal("not_connected", reply.ErrorCode);
        Assert.Equal(4501, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Connect_WithForgedToken_RepliesUnauthorizedAndCloses4500()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var token = _server.Token("u1");
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");

        var reply = await client.RequestAsync("connect", new { token = forged });

        Assert.Equal("unauthorized", reply.ErrorCode);
        Assert.Equal(4500, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Connect_WithTokenOfAnotherIssuerKey_IsUnauthorized()
    {
        await using var other = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Auth:SigningKey"] = new string('k', 40) });
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);

        var reply = await client.RequestAsync("connect", new { token = other.Token("u1") });

        Assert.Equal("unauthorized", reply.ErrorCode);
    }

    [Fact]
    public async Task Connect_WithExpiredToken_RepliesTokenExpiredAndCloses4005()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var token = _server.Token("u1", lifetime: TimeSpan.FromMinutes(-5));

        var reply = await client.RequestAsync("connect", new { token });

        Assert.Equal("token_expired", reply.ErrorCode);
        Assert.Equal(4005, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Connect_Twice_RepliesAlreadyConnectedAndKeepsTheConnection()
    {
        await using var client = await _server.ConnectAsync("u1");

        var reply = await client.RequestAsync("connect", new { token = _server.Token("u1") });

        Assert.Equal("already_connected", reply.ErrorCode);
        Assert.True((await client.RequestAsync("ping")).IsOk);
    }

    [Fact]
    public async Task Connection_WhenTokenExpires_IsClosedWith4005()
    {
        // One rule for the connect check and the expiry timer: exp plus the clock skew (1 s here).
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Auth:ClockSkewSeconds"] = "1" });
        await using var client = await WsClient.OpenAsync(server.WebSocketUri);
        var reply = await client.RequestAsync("connect", new { token = server.Token("u1", lifetime: TimeSpan.FromSeconds(1)) });
        reply.AssertOk();

        Assert.Equal(4005, await client.WaitClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Connect_WithATokenExpiredWithinTheClockSkew_IsAcceptedAndKeptUntilTheSkewEnds()
    {
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        // Expired 10 s ago; the default skew is 30 s. Accepting it and then closing at once would be worse than either.
        var reply = await client.RequestAsync("connect", new { token = _server.Token("u1", lifetime: TimeSpan.FromSeconds(-10)) });
        reply.AssertOk();

        Assert.True((await client.RequestAsync("ping")).IsOk);
        Assert.False(client.Closed.IsCompleted);
    }

    [Fact]
    public async Task DevToken_InTesting_MintsAUsableToken()
    {
        using var http = _server.CreateHttpClient();

        var response = await http.PostAsJsonAsync("/api/auth/dev-token", new { user_id = "d1", name = "Dispatcher", role = Roles.CallManager, region_id = "r1", office_id = "o1" });

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await client.RequestAsync("connect", new { token = body.GetProperty("token").GetString() });
        Assert.Equal("call_manager", reply.Result.GetProperty("user").GetProperty("role").GetString());
    }

    [Fact]
    public async Task DevToken_WithBadRole_Is400WithCode()
    {
        using var http = _server.CreateHttpClient();

        var response = await http.PostAsJsonAsync("/api/auth/dev-token", new { user_id = "d1", role = "king", region_id = "r1", office_id = "o1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("bad_request", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WsEndpoint_WithoutUpgrade_Is400()
    {
        using var http = _server.CreateHttpClient();

        var response = await http.GetAsync("/ws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
