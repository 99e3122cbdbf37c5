using System.Net;
using System.Net.Http.Json;
using Heartline.Client;
using Heartline.Client.Accounts;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Accounts;

/// <summary>The .NET SDK's <see cref="AccountSession"/> on a real server, its renewal on a manual client clock.</summary>
public sealed class AccountSessionTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync();
        _http = _server.CreateHttpClient();
        using var admin = _server.CreateHttpClient(_server.Token("root", role: Roles.Admin));
        var created = await admin.PostAsJsonAsync("/api/admin/accounts", new
        {
            login = "kang", password = "driver-password", roles = new[] { "pickup_driver" }, claims = new { region = "r1", office = "o1" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GetToken_RefreshesOnceWhenAThirdOfTheLifeIsLeft_AndTheClientConnectsWithIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var session = await AccountSession.SignInAsync(_http, "kang", "driver-password", clock).WaitAsync(Wait);
        var changes = new List<SignedInState?>();
        session.Changed += changes.Add;
        var first = await session.GetTokenAsync();
        var firstRefresh = session.State.RefreshToken;
        Assert.Equal(first, await session.GetTokenAsync());

        await using var client = new HeartlineClient(new HeartlineClientOptions
        {
            Uri = _server.WebSocketUri, TokenProvider = session.GetTokenAsync,
        });
        await client.ConnectAsync().WaitAsync(Wait);
        Assert.Equal("kang", client.User?.UserId);

        clock.Advance(TimeSpan.FromMinutes(11));
        var renewed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => session.GetTokenAsync().AsTask())).WaitAsync(Wait);
        Assert.Single(renewed.Distinct());
        // One rotation for four callers (the access token itself may come out the same within a second of the server's clock).
        Assert.Equal(session.State.AccessToken, renewed[0]);
        Assert.NotEqual(firstRefresh, Assert.Single(changes)!.RefreshToken);
    }

    [Fact]
    public async Task AReusedRefreshToken_EndsTheSignIn_AndAWrongPasswordSaysSo()
    {
        using var session = await AccountSession.SignInAsync(_http, "kang", "driver-password").WaitAsync(Wait);
        var kept = session.State;
        await session.RefreshAsync().WaitAsync(Wait);
        using var replay = AccountSession.Restore(_http, kept);
        Assert.Equal("invalid_credentials", (await Assert.ThrowsAsync<HeartlineException>(() => replay.RefreshAsync())).Code);
        Assert.Equal("invalid_credentials", (await Assert.ThrowsAsync<HeartlineException>(() => session.RefreshAsync())).Code);
        Assert.Equal("invalid_credentials",
            (await Assert.ThrowsAsync<HeartlineException>(() => AccountSession.SignInAsync(_http, "kang", "not-the-password"))).Code);
    }
}
