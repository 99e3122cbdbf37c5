using System.Net;
using System.Net.Http.Json;
using Heartline.Core.Accounts;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Accounts;

/// <summary>The server's own <c>admin create</c>: the first administrator of a fresh database, without a token or a start.</summary>
public sealed class AccountsCommandLineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AdminCreate_OnAFreshDatabase_MakesAnAdministratorThatSignsInOnceTheServerRuns()
    {
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        string[] settings = ["--environment", "Testing", "--Storage:Provider", "sqlite", "--Storage:ConnectionString", $"Data Source={path}"];
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await AccountsCommandLine.RunAsync(["admin", "create", "--login", "Ops", "--password-stdin", "--name", "운영자", .. settings],
            a => HeartlineHost.Build(a), new StringReader("ops-password-1\n"), output, error).WaitAsync(Wait);

        Assert.True(exit == 0, error.ToString());
        Assert.Contains("created ops", output.ToString(), StringComparison.Ordinal);
        // Again: the login is taken. Without --password-stdin: a usage error, and nothing is read from the command line.
        Assert.Equal(1, await AccountsCommandLine.RunAsync(["admin", "create", "--login", "ops", "--password-stdin", .. settings],
            a => HeartlineHost.Build(a), new StringReader("ops-password-1\n"), new StringWriter(), error).WaitAsync(Wait));
        Assert.Equal(2, await AccountsCommandLine.RunAsync(["admin", "create", "--login", "ops2", .. settings],
            a => HeartlineHost.Build(a), new StringReader(""), new StringWriter(), new StringWriter()).WaitAsync(Wait));

        await using var server = await HeartlineServer.StartAsync(databasePath: path);
        using var http = server.CreateHttpClient();
        var signIn = await http.PostAsJsonAsync("/api/auth/sign-in", new { login = "ops", password = "ops-password-1" });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var body = await signIn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        using var admin = server.CreateHttpClient(body.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/accounts")).StatusCode);
    }
}
