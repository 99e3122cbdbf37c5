using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Accounts;

/// <summary>
/// Accounts end to end on a real server: the first administrator from the settings, sign-in to a working socket,
/// rotating refresh tokens (a reuse revokes the sign-in), sign-out, throttled failures on a manual clock, and an
/// administrator's changes reaching connected devices at once.
/// </summary>
public sealed class AccountsTests : IAsyncLifetime
{
    private const string AdminPassword = "first-admin-password";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _http = _server.CreateHttpClient();
        var signedIn = await SignInAsync("Root.Admin", AdminPassword);
        _admin = _server.CreateHttpClient(signedIn.GetProperty("access_token").GetString());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HeartlineServer> StartAsync(string? databasePath = null, string password = AdminPassword) =>
        HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Accounts:BootstrapAdmin:Login"] = "root.admin",
            ["Accounts:BootstrapAdmin:Password"] = password,
            ["Accounts:MaxFailuresPerAddress"] = "8",
            ["Realtime:ConnectRatePerIp"] = "1000",
        }, databasePath, services: s => s.AddSingleton<TimeProvider>(_clock));

    [Fact]
    public async Task TheFirstAdministrator_ComesFromTheSettings_Once()
    {
        var accounts = await ListAsync();
        var admin = Assert.Single(accounts);
        Assert.Equal(("root.admin", "root.admin", true), (admin.GetProperty("login").GetString(), admin.GetProperty("user_id").GetString(),
            admin.GetProperty("has_password").GetBoolean()));
        Assert.Equal(["admin"], admin.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain("password_hash", admin.GetRawText());

        // Started again on the same database with another bootstrap password: an administrator exists, nothing changes.
        var path = _server.DatabasePath;
        await _server.DisposeAsync();
        _server = await StartAsync(path, "another-password-entirely");
        using var http = _server.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/auth/sign-in", new { login = "root.admin", password = "another-password-entirely" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/auth/sign-in", new { login = "root.admin", password = AdminPassword })).StatusCode);
    }

    [Fact]
    public async Task ADriverSignsIn_ConnectsWithItsOffice_RefreshRotates_AndAReusedRefreshTokenEndsTheSignIn()
    {
        await CreateDriverAsync("kim", "o7");
        var first = await SignInAsync(" KIM ", "driver-password");
        Assert.Equal("kim", first.GetProperty("user").GetProperty("user_id").GetString());
        Assert.Equal(_clock.GetUtcNow().AddMinutes(15).ToUnixTimeMilliseconds(), first.GetProperty("expires_at").GetInt64());

        var socket = await WsClient.OpenAsync(_server.WebSocketUri);
        var connected = await socket.RequestAsync("connect", new { token = first.GetProperty("access_token").GetString() });
        connected.AssertOk();
        // The office claim scopes the driver: its own office's presence is allowed, another office's is not.
        (await socket.RequestAsync("subscribe", new { channel = "presence:r1_o7" })).AssertOk();
        Assert.Equal("forbidden", (await socket.RequestAsync("subscribe", new { channel = "presence:r1_o1" })).ErrorCode);

        var firstRefresh = first.GetProperty("refresh_token").GetString();
        var second = await RefreshAsync(firstRefresh, HttpStatusCode.OK);
        var secondRefresh = second.GetProperty("refresh_token").GetString();
        Assert.NotEqual(firstRefresh, secondRefresh);
        // The renewed access token extends the open socket without dropping it.
        (await socket.RequestAsync("refresh", new { token = second.GetProperty("access_token").GetString() })).AssertOk();

        // The first refresh token again: a stolen copy. The whole sign-in ends, the legitimate successor too.
        Assert.Equal("invalid_credentials", (await RefreshAsync(firstRefresh, HttpStatusCode.Unauthorized)).GetProperty("code").GetString());
        Assert.Equal("invalid_credentials", (await RefreshAsync(secondRefresh, HttpStatusCode.Unauthorized)).GetProperty("code").GetString());

        // Sign-out ends a sign-in the same way.
        var third = await SignInAsync("kim", "driver-password");
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsJsonAsync("/api/auth/sign-out", new { refresh_token = third.GetProperty("refresh_token").GetString() })).StatusCode);
        await RefreshAsync(third.GetProperty("refresh_token").GetString(), HttpStatusCode.Unauthorized);
        await Eventually.TrueAsync(async () => (await EventsAsync("REFRESH_TOKEN_REUSED")).Any(e => e.GetProperty("user_id").GetString() == "kim"),
            "the reuse is in the event log", Wait);
    }

    [Fact]
    public async Task FailedSignIns_AreThrottledPerLogin_ThenPerAddress_UntilTheWindowPasses()
    {
        await CreateDriverAsync("lee", "o1");
        for (var i = 0; i < 5; i++)
        {
            var wrong = await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "lee", password = "wrong-password-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_credentials", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        // The sixth try is refused even with the right password, and says when to come back.
        var refused = await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "lee", password = "driver-password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("rate_limited", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 890, 900);
        // An unknown login fails like a wrong password (nothing tells which logins exist); three more reach the address's limit of 8.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "nobody" + i, password = "whatever-password" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "root.admin", password = AdminPassword })).StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await SignInAsync("lee", "driver-password");
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "lee" })).StatusCode);
    }

    [Fact]
    public async Task Deactivating_ClosesTheDevicesAt4503_RefusesItsTokens_AndIsRecordedWithWhoDidIt()
    {
        await CreateDriverAsync("park", "o1");
        var signedIn = await SignInAsync("park", "driver-password");
        var access = signedIn.GetProperty("access_token").GetString()!;
        var phone = await WsClient.OpenAsync(_server.WebSocketUri);
        (await phone.RequestAsync("connect", new { token = access })).AssertOk();

        var patched = await _admin.PatchAsJsonAsync("/api/admin/accounts/park", new { active = false });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False((await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean());
        Assert.Equal(4503, await phone.WaitClosedAsync(Wait));

        // The access token has not expired, but it no longer connects or calls the API; the refresh token is revoked.
        var again = await WsClient.OpenAsync(_server.WebSocketUri);
        Assert.Equal("unauthorized", (await again.RequestAsync("connect", new { token = access })).ErrorCode);
        using (var asPark = _server.CreateHttpClient(access))
            Assert.Equal(HttpStatusCode.Unauthorized, (await asPark.GetAsync("/api/ptt/offices")).StatusCode);
        await RefreshAsync(signedIn.GetProperty("refresh_token").GetString(), HttpStatusCode.Unauthorized);
        var disabled = await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "park", password = "driver-password" });
        Assert.Equal(HttpStatusCode.Forbidden, disabled.StatusCode);
        Assert.Equal("account_disabled", (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        await Eventually.TrueAsync(async () => (await EventsAsync("ACCOUNT_DEACTIVATED")).Any(e =>
            e.GetProperty("user_id").GetString() == "park" && e.GetProperty("metadata").GetString()!.Contains("\"by\":\"root.admin\"", StringComparison.Ordinal)),
            "the deactivation is recorded with who did it", Wait);

        (await _admin.PatchAsJsonAsync("/api/admin/accounts/park", new { active = true })).EnsureSuccessStatusCode();
        await SignInAsync("park", "driver-password");
    }

    [Fact]
    public async Task MovingADriverToAnotherOffice_ClosesItsSocket_AndARefreshedTokenCarriesTheNewOffice()
    {
        await CreateDriverAsync("choi", "o1");
        var signedIn = await SignInAsync("choi", "driver-password");
        var phone = await WsClient.OpenAsync(_server.WebSocketUri);
        (await phone.RequestAsync("connect", new { token = signedIn.GetProperty("access_token").GetString() })).AssertOk();

        (await _admin.PatchAsJsonAsync("/api/admin/accounts/choi", new { claims = new { region = "r1", office = "o2" } })).EnsureSuccessStatusCode();
        Assert.Equal(4503, await phone.WaitClosedAsync(Wait));

        var renewed = await RefreshAsync(signedIn.GetProperty("refresh_token").GetString(), HttpStatusCode.OK);
        var again = await WsClient.OpenAsync(_server.WebSocketUri);
        (await again.RequestAsync("connect", new { token = renewed.GetProperty("access_token").GetString() })).AssertOk();
        (await again.RequestAsync("subscribe", new { channel = "presence:r1_o2" })).AssertOk();
    }

    [Fact]
    public async Task AnInvitationCode_SetsThePasswordOnce_UntilItExpires_AndANewCodeReplacesTheOld()
    {
        var invited = await _admin.PostAsJsonAsync("/api/admin/accounts", new
        {
            login = "new.driver", roles = new[] { "pickup_driver" }, claims = new { region = "r1", office = "o1" },
        });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        Assert.False((await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("has_password").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsJsonAsync("/api/auth/sign-in", new { login = "new.driver", password = "anything-at-all" })).StatusCode);

        var first = await IssueCodeAsync("new.driver");
        var second = await IssueCodeAsync("new.driver");
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$", second.GetProperty("code").GetString());
        Assert.Equal("/driver/?code=" + second.GetProperty("code").GetString(), second.GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await AcceptAsync(first.GetProperty("code").GetString()!, "chosen-password")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AcceptAsync(second.GetProperty("code").GetString()!, "short")).StatusCode);

        // Typed in lower case, without the dash: the same code. It signs in, and works once.
        var typed = second.GetProperty("code").GetString()!.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var accepted = await AcceptAsync(typed, "chosen-password");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("new.driver", (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("login").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await AcceptAsync(typed, "another-password")).StatusCode);
        await SignInAsync("new.driver", "chosen-password");

        // A reset code that is not used in time expires.
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync("/api/admin/accounts/ghost/code", null)).StatusCode);
        var reset = await IssueCodeAsync("new.driver");
        _clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await AcceptAsync(reset.GetProperty("code").GetString()!, "later-password")).StatusCode);
    }

    private async Task<JsonElement> IssueCodeAsync(string id)
    {
        var response = await _admin.PostAsync($"/api/admin/accounts/{id}/code", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> AcceptAsync(string code, string password) =>
        _http.PostAsJsonAsync("/api/auth/code", new { code, password });

    [Fact]
    public async Task Groups_OfTheKindsModulesDeclare_AreCreatedNamedAndCountTheirMembers()
    {
        await CreateDriverAsync("han", "o3");
        await CreateDriverAsync("yoon", "o3");
        var office = await _admin.PostAsJsonAsync("/api/admin/groups", new
        {
            kind = "office", claims = new { region = "r1", office = "o3" }, name = "강남 배차실", time_zone = "Asia/Seoul",
        });
        Assert.Equal(HttpStatusCode.Created, office.StatusCode);
        var created = await office.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("r1_o3", 2), (created.GetProperty("group_id").GetString(), created.GetProperty("members").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PostAsJsonAsync("/api/admin/groups", new
        {
            kind = "office", claims = new { region = "r1", office = "o3" }, name = "again",
        })).StatusCode);
        foreach (var bad in new object[]
        {
            new { kind = "planet", claims = new { region = "r1" }, name = "x" },
            new { kind = "office", claims = new { region = "r1" }, name = "x" },
            new { kind = "office", claims = new { region = "r1", office = "a b" }, name = "x" },
            new { kind = "office", claims = new { region = "r1", office = "o4" }, name = "x", time_zone = "Mars/Olympus" },
        })
            Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync("/api/admin/groups", bad)).StatusCode);

        var renamed = await _admin.PatchAsJsonAsync("/api/admin/groups/office/r1_o3", new { name = "강남 1팀", time_zone = "Europe/London" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var list = await _admin.GetFromJsonAsync<JsonElement>("/api/admin/groups");
        Assert.Contains(list.GetProperty("kinds").EnumerateArray(), k => k.GetProperty("name").GetString() == "agency");
        var group = Assert.Single(list.GetProperty("groups").EnumerateArray());
        Assert.Equal(("강남 1팀", "Europe/London", 2), (group.GetProperty("name").GetString(), group.GetProperty("time_zone").GetString(),
            group.GetProperty("members").GetInt32()));
        Assert.Equal("Europe/London", await _server.Services.GetRequiredService<Heartline.Core.Accounts.IGroups>().TimeZoneAsync("office", "r1_o3"));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PatchAsJsonAsync("/api/admin/groups/office/r9_o9", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task CreatingAccounts_IsForAdministrators_WithClearErrors()
    {
        await CreateDriverAsync("jung", "o1");
        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PostAsJsonAsync("/api/admin/accounts",
            new { login = "JUNG", password = "another-password", roles = new[] { "pickup_driver" } })).StatusCode);
        await AssertBadRequestAsync(new { login = "x", password = "long-enough-password", roles = new[] { "pickup_driver" } }, "login");
        await AssertBadRequestAsync(new { login = "short.pw", password = "short", roles = new[] { "pickup_driver" } }, "password");
        await AssertBadRequestAsync(new { login = "no.role", password = "long-enough-password", roles = new[] { "emperor" } }, "role");
        await AssertBadRequestAsync(new { login = "bad.office", password = "long-enough-password", roles = new[] { "pickup_driver" }, claims = new { office = "a b" } }, "office");
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsync("/api/admin/accounts", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PatchAsJsonAsync("/api/admin/accounts/ghost", new { active = false })).StatusCode);

        var driver = await SignInAsync("jung", "driver-password");
        using var asDriver = _server.CreateHttpClient(driver.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await asDriver.GetAsync("/api/admin/accounts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/admin/accounts")).StatusCode);
    }

    private async Task AssertBadRequestAsync(object body, string mentions)
    {
        var response = await _admin.PostAsJsonAsync("/api/admin/accounts", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentions, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task CreateDriverAsync(string login, string office)
    {
        var created = await _admin.PostAsJsonAsync("/api/admin/accounts", new
        {
            login, name = "기사 " + login, password = "driver-password", roles = new[] { "pickup_driver" }, claims = new { region = "r1", office },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<JsonElement> SignInAsync(string login, string password)
    {
        var response = await _http.PostAsJsonAsync("/api/auth/sign-in", new { login, password });
        Assert.True(response.IsSuccessStatusCode, $"sign-in of {login}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> RefreshAsync(string? refreshToken, HttpStatusCode expected)
    {
        var response = await _http.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken });
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> ListAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/api/admin/accounts")).GetProperty("accounts").EnumerateArray()];

    private async Task<List<JsonElement>> EventsAsync(string type) =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>($"/api/admin/events?scope=admin&type={type}&limit=100")).GetProperty("items").EnumerateArray()];
}
