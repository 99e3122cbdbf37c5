using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.JsSdk;

/// <summary>
/// Runs the JavaScript SDK's own tests (<c>node --test tests/js/sdk/</c>) against the real server, and checks that the
/// server serves the SDK.
/// </summary>
public sealed class JsSdkTests : IAsyncLifetime
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(120);

    private readonly LogRecorder _logs = new();
    private HeartlineServer _server = null!;
    private HeartlineServer _agoraServer = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            // The SDK test of the automatic ping waits for one ping interval.
            ["Realtime:ClientPingIntervalSeconds"] = "1",
            // Every SDK test opens sockets from 127.0.0.1; the per-IP connect limit is not what they test.
            ["Realtime:ConnectRatePerIp"] = "1000",
            // The PTT keep-alive test holds the floor without audio for three leases. 2 s rather than the minimum: on
            // two cores busy with the rest of the suite, a 1 s lease lapsed now and then between keep-alives.
            ["Ptt:LeaseMs"] = "2000",
        }, services: s => s.AddSingleton<ILoggerProvider>(_logs));
        // The media provider is per deployment: the PTT SDK's Agora mode (ptt-agora.test.mjs) needs a server of its own.
        _agoraServer = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Ptt:MediaProvider"] = "agora",
            ["Ptt:TokenDelayMinMs"] = "200",
            ["Ptt:TokenDelayMaxMs"] = "400",
            ["Ptt:Agora:AppId"] = "970ca35de60c44645bbae8a215061b33",
            ["Ptt:Agora:AppCertificate"] = "5cfd2fd1755d40ecb72977518be15d3b",
        }, services: s => s.AddSingleton<ILoggerProvider>(_logs));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _agoraServer.DisposeAsync();
        Assert.Empty(_logs.Errors);
    }

    [Fact]
    public async Task NodeTests_AgainstTheRealServer_AllPass()
    {
        var root = RepoRoot.Path;
        var ws = Path.Combine(root, "tests", "js", "node_modules", "ws", "package.json");
        Assert.True(File.Exists(ws), "tests/js/node_modules is missing: run `npm ci --prefix tests/js` first.");

        var (exitCode, output) = await RunNodeTestsAsync(Path.Combine("tests", "js", "sdk") + Path.DirectorySeparatorChar);

        Assert.True(exitCode == 0, $"node --test exited {exitCode}:{Environment.NewLine}{output}{Environment.NewLine}"
            + $"Server warnings and errors:{Environment.NewLine}{string.Join(Environment.NewLine, _logs.Entries.Select(Describe))}");
    }

    [Fact]
    public async Task Sdk_IsServedAsJavaScript()
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync("/sdk/heartline.js");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("javascript", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        Assert.Contains("export class HeartlineClient", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> RunNodeTestsAsync(string testPath) =>
        NodeTestRun.RunAsync(testPath, new Dictionary<string, string>
        {
            ["HEARTLINE_URL"] = _server.BaseAddress.ToString().TrimEnd('/'),
            ["HEARTLINE_AGORA_URL"] = _agoraServer.BaseAddress.ToString().TrimEnd('/'),
        }, NodeTimeout);

    private static string Describe((LogLevel Level, string Category, string Message, Exception? Exception) entry) =>
        $"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception}";
}
