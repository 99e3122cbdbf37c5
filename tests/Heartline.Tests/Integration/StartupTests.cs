using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Heartline.Core.Modules;
using Microsoft.AspNetCore.Builder;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Integration;

/// <summary>
/// How the host starts: the environment the operator gives wins, a bad setting is one clear line and a non-zero exit,
/// and an unexpected failure is a problem document (no stack trace) in Production.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private static string TempDatabase() =>
        Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");

    /// <summary>Runs the server binary with only <paramref name="args"/> and <paramref name="environment"/> until it exits.</summary>
    private static async Task<(int ExitCode, string Error)> RunToExitAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Heartline.Server.dll"));
        foreach (var arg in new[] { "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--Storage:ConnectionString",
                     $"Data Source={TempDatabase()}" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ExitTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the server did not exit within {ExitTimeout}: {await output}");
        }
        return (process.ExitCode, await error + await output);
    }

    [Theory]
    [InlineData("SESSION_HEARTBEAT_INTERVAL_SECONDS", "2", "SESSION_HEARTBEAT_INTERVAL_SECONDS (Webinar:HeartbeatIntervalSeconds) must be 5 to 3600 seconds, not 2")]
    [InlineData("Realtime__HandshakeTimeoutSeconds", "0", "Realtime:HandshakeTimeoutSeconds = '0': The field HandshakeTimeoutSeconds must be between 1 and 120")]
    [InlineData("Realtime__HandshakeTimeoutSeconds", "soon", "'soon' at 'Realtime:HandshakeTimeoutSeconds'")]
    [InlineData("Voip__PingIntervalSeconds", "0", "Voip:PingIntervalSeconds = '0': The field PingIntervalSeconds must be between 1 and 3600")]
    [InlineData("Voip__Ice__TurnUrls__0", "turn:127.0.0.1:3478", "Voip:Ice:TurnSecret must be set")]
    [InlineData("Http__AllowedOrigins__0", "https://app.example/path", "Http:AllowedOrigins: https://app.example/path is not an origin")]
    public async Task InvalidSetting_PrintsOneLineNamingIt_AndExitsNonZero(string variable, string value, string expected)
    {
        var (exitCode, error) = await RunToExitAsync(new Dictionary<string, string> { [variable] = value }, "--environment", "Testing");

        Assert.Equal(2, exitCode);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("heartline: invalid configuration: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain(" at Microsoft.", error);
    }

    [Fact]
    public async Task UnknownOtlpProtocol_IsAConfigurationError()
    {
        var (exitCode, error) = await RunToExitAsync(new Dictionary<string, string>
        {
            ["OpenTelemetry__OtlpEndpoint"] = "http://127.0.0.1:4317",
            ["OpenTelemetry__OtlpProtocol"] = "udp",
        }, "--environment", "Testing");

        Assert.Equal(2, exitCode);
        Assert.Contains("OpenTelemetry:OtlpProtocol = 'udp'", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task ProductionGivenByTheEnvironment_Wins_AndRefusesTheDevelopmentKey()
    {
        var (exitCode, error) = await RunToExitAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Equal(2, exitCode);
        Assert.Contains("Auth:SigningKey", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void NoLaunchProfile_SetsAnEnvironment()
    {
        // dotnet run applies a launch profile's variables over the caller's: one that names an environment would
        // turn a Production start into Development.
        var profiles = Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, "src"), "launchSettings.json", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal));
        foreach (var profile in profiles)
        {
            var text = File.ReadAllText(profile);
            Assert.DoesNotContain("ASPNETCORE_ENVIRONMENT", text);
            Assert.DoesNotContain("DOTNET_ENVIRONMENT", text);
        }
    }

    [Fact]
    public async Task Production_UnhandledException_IsAProblemDocumentWithoutDetails()
    {
        await using var app = HeartlineHost.Build(["--environment", "Production", "--urls", "http://127.0.0.1:0",
            "--Storage:ConnectionString", $"Data Source={TempDatabase()}", "--Auth:SigningKey", new string('s', 48),
            "--Logging:LogLevel:Default", "None"], modules: heartline => heartline.AddModule("boom")
            .MapEndpoints(e => e.MapGet("/api/boom", string () => throw new InvalidOperationException("secret internals"))));
        await app.StartAsync().WaitAsync(ExitTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "a-bearer-token-that-must-not-leak");

        using var boom = await http.GetAsync("/api/boom");
        using var unknown = await http.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.InternalServerError, boom.StatusCode);
        Assert.Equal("application/problem+json", boom.Content.Headers.ContentType?.MediaType);
        var body = await boom.Content.ReadAsStringAsync();
        Assert.Equal("internal", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("secret internals", body);
        Assert.DoesNotContain("a-bearer-token", body);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("not_found", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        await app.StopAsync().WaitAsync(ExitTimeout);
    }
}
