using System.Net;
using System.Net.Http.Headers;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Ptt;

/// <summary>
/// Who may watch an office (docs/protocol.md 10): members and viewers of the office and administrators; never a guest,
/// whatever roles and office its token names.
/// </summary>
public sealed class PttObserverTests : RealServerTest
{
    private string Mint(string userId, string role, PrincipalKind kind) =>
        Server.Services.GetRequiredService<TokenIssuer>().Mint(userId, userId, [role],
            new Dictionary<string, string> { ["region"] = "r1", ["office"] = "o1" }, TimeSpan.FromHours(1), kind);

    private async Task<WsClient> ConnectAsync(string token)
    {
        var client = await WsClient.OpenAsync(Server.WebSocketUri);
        (await client.RequestAsync("connect", new { token })).AssertOk();
        return client;
    }

    [Fact]
    public async Task AGuestWithAnOfficeAndTheViewerRole_ObservesNothing_AViewerUserDoes()
    {
        await using var guest = await ConnectAsync(Mint("g1", Roles.Viewer, PrincipalKind.Guest));
        await using var viewer = await ConnectAsync(Mint("v1", Roles.Viewer, PrincipalKind.User));
        using var guestHttp = Server.CreateHttpClient(Mint("g1", Roles.Viewer, PrincipalKind.Guest));

        Assert.Equal("forbidden", (await guest.RequestAsync("subscribe", new { channel = "ptt:r1_o1" })).ErrorCode);
        Assert.Equal("forbidden", (await guest.RequestAsync("ptt.state")).ErrorCode);
        Assert.Equal("forbidden", (await guest.RequestAsync("presence", new { scope = "r1_o1" })).ErrorCode);
        foreach (var path in new[] { "/api/ptt/events", "/api/ptt/stats", "/api/ptt/offices/r1_o1" })
            Assert.Equal(HttpStatusCode.Forbidden, (await guestHttp.GetAsync(path)).StatusCode);

        (await viewer.RequestAsync("subscribe", new { channel = "ptt:r1_o1" })).AssertOk();
        (await viewer.RequestAsync("ptt.state")).AssertOk();
        Assert.Equal("forbidden", (await viewer.RequestAsync("ptt.press")).ErrorCode);
    }
}
