using System.Text.Json;
using Heartline.Client;
using Heartline.Client.Ptt;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

/// <summary>
/// The identity the SDK reports from the <c>connect</c> reply: tokens that name no office (an admin, a webinar viewer,
/// a guest, a service) connect, roles, kind, tenant and scopes are exposed, and push-to-talk refuses such an identity
/// with <see cref="HeartlineException.NoOffice"/>.
/// </summary>
public sealed class HeartlineClientIdentityTests : RealServerTest
{
    private static readonly TimeSpan Timeout = EventQueue<object>.DefaultTimeout;

    private string Mint(string userId, IReadOnlyList<string> roles, PrincipalKind? kind = null, string? tenant = null,
        string? region = null, string? office = null)
    {
        var claims = new Dictionary<string, string>();
        if (region is not null) claims["region"] = region;
        if (office is not null) claims["office"] = office;
        return Server.Services.GetRequiredService<TokenIssuer>().Mint(userId, userId, roles, claims, TimeSpan.FromHours(1), kind, tenant);
    }

    private HeartlineClientOptions Options(string token) =>
        ClientKit.Options(Server, "unused", tokenProvider: _ => ValueTask.FromResult(token));

    [Fact]
    public async Task ConnectAsync_AdminTokenWithoutOffice_ConnectsWithNoOfficeAndTheRole()
    {
        var connected = new EventQueue<ConnectedEventArgs>();
        await using var client = new HeartlineClient(Options(Mint("boss", [Roles.Admin])));
        client.Connected += connected.Handler;

        await client.ConnectAsync().WaitAsync(Timeout);
        var ping = await client.RequestAsync("ping").WaitAsync(Timeout);

        var user = (await connected.NextAsync()).User;
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
        Assert.Same(user, client.User);
        Assert.Equal("boss", user.UserId);
        Assert.Equal(Roles.Admin, user.Role);
        Assert.Equal([Roles.Admin], user.Roles);
        Assert.Equal(HeartlineUserKinds.User, user.Kind);
        Assert.Null(user.Tenant);
        Assert.Null(user.RegionId);
        Assert.Null(user.OfficeId);
        Assert.Null(user.Office);
        Assert.False(user.HasOffice);
        Assert.Empty(user.Scopes);
        Assert.True(ping.GetProperty("server_time").GetInt64() > 0);
        // An admin without an office still watches any office's channel.
        var subscription = await client.SubscribeAsync("office:r1_o1").WaitAsync(Timeout);
        Assert.True(subscription.IsActive);
    }

    [Fact]
    public async Task ConnectAsync_WebinarViewerGuestOfATenant_ReportsRolesKindAndTenant()
    {
        await using var client = await ClientKit.ConnectAsync(Options(
            Mint("g-42", [Roles.Viewer, Roles.Guest], PrincipalKind.Guest, tenant: "acme")));

        var user = client.User!;
        Assert.Equal(Roles.Viewer, user.Role);
        Assert.Equal([Roles.Viewer, Roles.Guest], user.Roles);
        Assert.True(user.IsInRole(Roles.Guest));
        Assert.False(user.IsInRole(Roles.Admin));
        Assert.Equal(HeartlineUserKinds.Guest, user.Kind);
        Assert.Equal("acme", user.Tenant);
        Assert.Null(user.Office);
        Assert.Empty(user.Scopes);
    }

    [Fact]
    public async Task ConnectAsync_GuestRoleWithoutKind_IsAGuest_ServiceKindIsAService()
    {
        await using var guest = await ClientKit.ConnectAsync(Options(Mint("g1", [Roles.Guest])));
        await using var service = await ClientKit.ConnectAsync(Options(Mint("dispatch-bot", [Roles.Admin], PrincipalKind.Service)));

        Assert.Equal(HeartlineUserKinds.Guest, guest.User!.Kind);
        Assert.Equal([Roles.Guest], guest.User.Roles);
        Assert.Equal(HeartlineUserKinds.Service, service.User!.Kind);
    }

    [Fact]
    public async Task ConnectAsync_OfficeToken_ReportsTheOfficeAndItsScope()
    {
        await using var client = await ClientKit.ConnectAsync(Options(
            Mint("d1", [Roles.PickupDriver, Roles.Viewer], tenant: "acme", region: "r1", office: "o1")));

        var user = client.User!;
        Assert.True(user.HasOffice);
        Assert.Equal(("r1", "o1", "r1_o1"), (user.RegionId, user.OfficeId, user.Office));
        Assert.Equal(["r1_o1"], user.Scopes);
        Assert.Equal([Roles.PickupDriver, Roles.Viewer], user.Roles);
        Assert.Equal(HeartlineUserKinds.User, user.Kind);
        Assert.Equal("acme", user.Tenant);
    }

    [Fact]
    public async Task PttClient_TokenWithoutOffice_FailsWithNoOffice_BeforeSendingAnything()
    {
        await using var client = await ClientKit.ConnectAsync(Options(Mint("v1", [Roles.Viewer])));
        var pushes = new EventQueue<PushEventArgs>();
        client.Push += pushes.Handler;
        await using var ptt = new PttClient(client);

        var listen = await Assert.ThrowsAsync<HeartlineException>(() => ptt.StartListeningAsync().WaitAsync(Timeout));
        var press = await Assert.ThrowsAsync<HeartlineException>(() => ptt.StartAsync().WaitAsync(Timeout));
        var refresh = await Assert.ThrowsAsync<HeartlineException>(() => ptt.RefreshStateAsync().WaitAsync(Timeout));

        Assert.All(new[] { listen, press, refresh }, ex => Assert.Equal(HeartlineException.NoOffice, ex.Code));
        Assert.Contains("names an office", listen.Message, StringComparison.Ordinal);
        Assert.Contains("v1", listen.Message, StringComparison.Ordinal);
        Assert.False(ptt.IsTalking);
        // The connection is untouched: it still answers, and no error push arrived.
        await client.RequestAsync("ping").WaitAsync(Timeout);
        Assert.False(pushes.TryTake(out _));
        Assert.Equal(HeartlineConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task PttClient_BeforeConnect_StillFailsWithNotConnected()
    {
        await using var client = new HeartlineClient(Options(Mint("v1", [Roles.Viewer])));
        await using var ptt = new PttClient(client);

        var ex = await Assert.ThrowsAsync<HeartlineException>(() => ptt.StartListeningAsync().WaitAsync(Timeout));

        Assert.Equal(HeartlineException.NotConnected, ex.Code);
    }

    [Fact]
    public void ReadUser_OlderServerReply_FallsBackToWhatItMeantThere()
    {
        using var reply = JsonDocument.Parse("""
            {"connection_id": "c_1", "user": {"user_id": "u1", "name": "김기사", "role": "pickup_driver",
             "region_id": "r1", "office_id": "o1", "office": "r1_o1"}, "ping_interval_ms": 25000}
            """);
        using var guestReply = JsonDocument.Parse("""{"user": {"user_id": "g1", "role": "guest"}, "scopes": []}""");

        var user = HeartlineClient.ReadUser(reply.RootElement);
        var guest = HeartlineClient.ReadUser(guestReply.RootElement);

        Assert.Equal(new HeartlineUser("u1", "김기사", "pickup_driver", "r1", "o1", "r1_o1"), user);
        Assert.Equal(["pickup_driver"], user.Roles);
        Assert.Equal(HeartlineUserKinds.User, user.Kind);
        Assert.Equal(["r1_o1"], user.Scopes);
        Assert.Equal(("g1", HeartlineUserKinds.Guest, null), (guest.Name, guest.Kind, guest.Office));
        Assert.Empty(guest.Scopes);
    }

    [Fact]
    public void HeartlineUser_Equality_ComparesTheListsByElement()
    {
        var a = new HeartlineUser("u1", "u1", "viewer", null, null, null) { Roles = ["viewer", "guest"], Scopes = ["x"], Tenant = "t" };
        var b = new HeartlineUser("u1", "u1", "viewer", null, null, null) { Roles = ["viewer", "guest"], Scopes = ["x"], Tenant = "t" };
        var c = b with { Roles = ["viewer"] };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal(["viewer"], new HeartlineUser("u1", "u1", "viewer", null, null, null).Roles);
    }
}
