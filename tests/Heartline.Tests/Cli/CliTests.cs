using System.Net.Http.Json;
using System.Text.Json;
using Heartline.Client;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Cli;

public sealed class CliTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Server => _server.BaseAddress.ToString().TrimEnd('/');

    [Fact]
    public async Task OperatorCommands_DisconnectAUser_RunTheStaleCleaner_AndRefuseWhatTheyMayNotDo()
    {
        await using var phone = await _server.ConnectAsync("drv7");
        var admin = _server.Token("root", role: Roles.Admin);

        var (exit, stdout, stderr) = await CliRunner.RunAsync("disconnect", "drv7", "--token", admin, "--server", Server);
        Assert.True(exit == 0, stderr);
        Assert.Contains("(1)", stdout);
        Assert.Equal(4504, await phone.WaitClosedAsync());

        (exit, stdout, stderr) = await CliRunner.RunAsync("stale-clean", "--token", admin, "--server", Server);
        Assert.True(exit == 0, stderr);
        Assert.Contains("(0)", stdout);

        (exit, _, stderr) = await CliRunner.RunAsync("end-session", "no-such-session", "--token", admin, "--server", Server);
        Assert.Equal(1, exit);
        Assert.Contains("not found", stderr);
        (exit, _, stderr) = await CliRunner.RunAsync("disconnect", "drv7", "--token", _server.Token("drv8"), "--server", Server);
        Assert.Equal(1, exit);
        Assert.Contains("forbidden", stderr);
    }

    [Fact]
    public async Task AdminCreate_MakesAnAccountThatSignsIn_WithThePasswordFromStandardInput()
    {
        var admin = _server.Token("root", role: Roles.Admin);
        var (exit, stdout, stderr) = await CliRunner.RunWithInputAsync("office-password\n", "admin", "create", "--login", "Manager.Kim",
            "--password-stdin", "--role", "call_manager", "--claim", "region=r1", "--claim", "office=o3", "--name", "김실장",
            "--token", admin, "--server", Server);
        Assert.True(exit == 0, stderr);
        Assert.Contains("manager.kim (call_manager)", stdout);
        using var http = _server.CreateHttpClient();
        var signIn = await http.PostAsJsonAsync("/api/auth/sign-in", new { login = "manager.kim", password = "office-password" });
        Assert.Equal(System.Net.HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal("o3", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("claims").GetProperty("office").GetString());

        (exit, _, stderr) = await CliRunner.RunWithInputAsync("office-password\n", "admin", "create", "--login", "manager.kim",
            "--password-stdin", "--token", admin, "--server", Server);
        Assert.Equal(1, exit);
        Assert.Contains("taken", stderr);
        (exit, _, stderr) = await CliRunner.RunWithInputAsync("short\n", "admin", "create", "--login", "new.one", "--password-stdin",
            "--token", admin, "--server", Server);
        Assert.Equal(1, exit);
        Assert.Contains("password", stderr);
        (exit, _, _) = await CliRunner.RunWithInputAsync("x\n", "admin", "create", "--login", "new.one", "--token", admin, "--server", Server);
        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task Token_AgainstServer_PrintsATokenThatConnects()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("token", "--user", "u1", "--role", "pickup_driver",
            "--region", "r1", "--office", "o1", "--name", "김기사", "--ttl", "600", "--server", Server);

        Assert.True(exit == 0, stderr);
        var token = stdout.TrimEnd('\n');
        Assert.DoesNotContain('\n', token);
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await client.RequestAsync("connect", new { token });
        reply.AssertOk();
        Assert.Equal("김기사", reply.Result.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("r1_o1", reply.Result.GetProperty("user").GetProperty("office").GetString());
    }

    [Fact]
    public async Task Token_AdminWithoutOffice_PrintsATokenThatConnectsWithNoOffice()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("token", "--user", "boss", "--role", "admin", "--server", Server);

        Assert.True(exit == 0, stderr);
        var user = await ConnectUserAsync(stdout.TrimEnd('\n'));
        Assert.Equal("admin", user.GetProperty("role").GetString());
        Assert.Equal("user", user.GetProperty("kind").GetString());
        Assert.False(user.TryGetProperty("office", out _));
        Assert.False(user.TryGetProperty("region_id", out _));
        Assert.False(user.TryGetProperty("tenant", out _));
    }

    [Fact]
    public async Task Token_SeveralRolesKindAndTenant_AreAllInTheToken()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("token", "--user", "g-1", "--role", "viewer,guest", "--role", "admin",
            "--kind", "service", "--tenant", "acme_1", "--server", Server);

        Assert.True(exit == 0, stderr);
        var user = await ConnectUserAsync(stdout.TrimEnd('\n'));
        Assert.Equal(["viewer", "guest", "admin"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("viewer", user.GetProperty("role").GetString());
        Assert.Equal("service", user.GetProperty("kind").GetString());
        Assert.Equal("acme_1", user.GetProperty("tenant").GetString());
        Assert.False(user.TryGetProperty("office", out _));
    }

    [Fact]
    public async Task Token_GuestRole_ConnectsTheSdkAsAGuestWithoutOffice()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("token", "--user", "g1", "--role", "guest", "--server", Server);
        Assert.True(exit == 0, stderr);
        var token = stdout.TrimEnd('\n');

        await using var client = new HeartlineClient(new HeartlineClientOptions
        {
            Uri = _server.WebSocketUri,
            TokenProvider = _ => ValueTask.FromResult(token),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        await client.ConnectAsync().WaitAsync(CliRunner.Timeout);

        Assert.Equal(HeartlineUserKinds.Guest, client.User!.Kind);
        Assert.Equal(["guest"], client.User.Roles);
        Assert.Null(client.User.Office);
    }

    private async Task<JsonElement> ConnectUserAsync(string token)
    {
        Assert.DoesNotContain('\n', token);
        await using var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var reply = await client.RequestAsync("connect", new { token });
        reply.AssertOk();
        return reply.Result.GetProperty("user").Clone();
    }

    [Fact]
    public async Task Token_InvalidRole_ExitsOneWithTheServersReason()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("token", "--user", "u1", "--role", "pilot",
            "--region", "r1", "--office", "o1", "--server", Server);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("role", stderr);
    }

    [Fact]
    public async Task Watch_Count2_PrintsTwoLivePublicationsAsJsonLines()
    {
        var (run, stdout, stderr) = CliRunner.Start("watch", "office:r1_o1", "--server", Server,
            "--token", _server.Token("w1", role: Roles.Viewer), "--count", "2", "--timeout", "20");
        await stderr.WaitForAsync("subscribed");
        await using var publisher = await _server.ConnectAsync("d1", role: Roles.CallManager);

        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { text = "첫째" } })).AssertOk();
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { text = "second" } })).AssertOk();
        var exit = await run.WaitAsync(CliRunner.Timeout);

        Assert.True(exit == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        var second = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal(("office:r1_o1", 1, "첫째"), (first.GetProperty("channel").GetString(), first.GetProperty("offset").GetInt64(),
            first.GetProperty("data").GetProperty("text").GetString()));
        Assert.Equal(2, second.GetProperty("offset").GetInt64());
        Assert.Equal(first.GetProperty("epoch").GetString(), second.GetProperty("epoch").GetString());
    }

    [Fact]
    public async Task Watch_SinceAndMintedToken_PrintsRecoveredPublications()
    {
        await using var publisher = await _server.ConnectAsync("d1", role: Roles.CallManager);
        var published = await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 1 } });
        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 2 } })).AssertOk();
        var epoch = published.Result.GetProperty("epoch").GetString()!;

        var (exit, stdout, stderr) = await CliRunner.RunAsync("watch", "office:r1_o1", "--server", Server,
            "--user", "w1", "--region", "r1", "--office", "o1", "--since-offset", "0", "--since-epoch", epoch, "--count", "2");

        Assert.True(exit == 0, stderr);
        var offsets = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("offset").GetInt64());
        Assert.Equal([1, 2], offsets);
        Assert.Contains("nothing missed", stderr);
    }

    [Fact]
    public async Task Watch_MintedAdminTokenWithoutOffice_PrintsAnOfficesPublication()
    {
        var (run, stdout, stderr) = CliRunner.Start("watch", "office:r1_o1", "--server", Server,
            "--user", "boss", "--role", "admin", "--count", "1", "--timeout", "20");
        await stderr.WaitForAsync("subscribed");
        await using var publisher = await _server.ConnectAsync("d1", role: Roles.CallManager);

        (await publisher.RequestAsync("publish", new { channel = "office:r1_o1", data = new { n = 1 } })).AssertOk();
        var exit = await run.WaitAsync(CliRunner.Timeout);

        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("boss (admin, user, ", stderr.ToString());
        Assert.Equal(1, JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Watch_ForbiddenChannel_ExitsOne()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("watch", "office:r1_o2", "--server", Server,
            "--token", _server.Token("w1"), "--count", "1");

        Assert.Equal(1, exit);
        Assert.Contains("forbidden", stderr);
    }

    [Fact]
    public async Task Watch_BadToken_ExitsOneWithConnectionFailed()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("watch", "office:r1_o1", "--server", Server, "--token", "garbage");

        Assert.Equal(1, exit);
        Assert.Contains("connection failed / 연결 실패", stderr);
        Assert.Contains("unauthorized", stderr);
    }

    [Fact]
    public async Task Watch_TimeoutBeforeCount_ExitsOne()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("watch", "office:r1_o1", "--server", Server,
            "--token", _server.Token("w1"), "--count", "1", "--timeout", "0.3");

        Assert.Equal(1, exit);
        Assert.Contains("timed out", stderr);
    }

    [Fact]
    public async Task Stats_AdminToken_PrintsTableWithNodeId()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("stats", "--server", Server,
            "--token", _server.Token("boss", role: Roles.Admin, office: "hq"));

        Assert.True(exit == 0, stderr);
        Assert.Contains("node_id", stdout);
        Assert.Contains("test-node", stdout);
        Assert.Contains("metrics.connections", stdout);
    }

    [Fact]
    public async Task Guests_AdminToken_PrintsTheVoipConnectionStats()
    {
        using var http = _server.CreateHttpClient();
        await Heartline.Tests.Voip.VoipTestKit.AdmitAsync(http, "손님");
        var (exit, stdout, stderr) = await CliRunner.RunAsync("guests", "--server", Server,
            "--token", _server.Token("boss", role: Roles.Admin, office: "hq"));

        Assert.True(exit == 0, stderr);
        Assert.Contains("VoIP guests", stdout);
        Assert.Matches(@"guests_total[^\n\d]*1[^\d]", stdout);
        Assert.Contains("guests_reclaimable", stdout);
    }

    [Fact]
    public async Task Stats_Json_PrintsTheRawDocument()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("stats", "--server", Server, "--json",
            "--token", _server.Token("boss", role: Roles.Admin, office: "hq"));

        Assert.Equal(0, exit);
        Assert.Equal("test-node", JsonDocument.Parse(stdout).RootElement.GetProperty("node_id").GetString());
    }

    [Fact]
    public async Task Stats_NonAdminToken_ExitsOneAskingForAnAdminToken()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("stats", "--server", Server, "--token", _server.Token("u1"));

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("admin token", stderr);
        Assert.Contains("관리자", stderr);
    }
}
