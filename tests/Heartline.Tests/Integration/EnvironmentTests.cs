using System.Net;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

public sealed class EnvironmentTests
{
    private static string TempDatabase() =>
        Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");

    [Fact]
    public async Task Production_WithTheDevelopmentKey_RefusesToStart()
    {
        await using var app = HeartlineHost.Build(["--environment", "Production", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("Auth:SigningKey", error.Message);
    }

    [Fact]
    public async Task Production_WithDevTokensEnabled_RefusesToStart()
    {
        await using var app = HeartlineHost.Build(["--environment", "Production", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}", "--Auth:SigningKey", new string('s', 48),
            "--Auth:DevTokensEnabled", "true"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("Auth:DevTokensEnabled", error.Message);
    }

    [Fact]
    public async Task Production_WithASecretKey_StartsAndRefusesDevTokens()
    {
        await using var app = HeartlineHost.Build(["--environment", "Production", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}", "--Auth:SigningKey", new string('s', 48),
            "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };

            var response = await http.PostAsJsonAsync("/api/auth/dev-token", new { user_id = "u1", role = "admin", region_id = "r1", office_id = "o1" });

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Theory]
    [InlineData("Realtime:HandshakeTimeoutSeconds", "0")]
    [InlineData("Realtime:MediaDropThreshold", "5000")]
    [InlineData("Ptt:TokenDelayMaxMs", "50")]
    [InlineData("Storage:Provider", "mysql")]
    [InlineData("Presence:NodeId", "bad node id")]
    [InlineData("Presence:EndedConnectionRetentionHours", "0")]
    public async Task InvalidSetting_StopsStartupNamingIt(string key, string value)
    {
        await using var app = HeartlineHost.Build(["--environment", "Testing", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}", "--" + key, value]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains(key.Split(':')[1], error.Message);
    }

    [Fact]
    public async Task EndedConnectionRetention_NotLongerThanTheLeaveGrace_StopsStartup()
    {
        // Cluster presence reads connections that ended within the grace: the purge must not delete them first.
        await using var app = HeartlineHost.Build(["--environment", "Testing", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}",
            "--Presence:EndedConnectionRetentionHours", "1", "--Presence:LeaveGraceSeconds", "3600"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("EndedConnectionRetentionHours must be longer than Presence:LeaveGraceSeconds", error.Message);
    }
}
