using System.Text.Json;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Browser;

/// <summary>Chromium with fake media devices and four pages is heavy for two cores: it runs alone, after the rest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>
/// Runs the browser apps' tests (<c>node --test tests/browser/</c>: playwright-core driving Debian's Chromium) against
/// the real server, and checks that the server serves the pages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(10);

    private readonly LogRecorder _logs = new();
    private HeartlineServer _server = null!;
    private Coturn _turn = null!;

    public async Task InitializeAsync()
    {
        // The VoIP relay-only call goes through a real TURN server with credentials from the server's endpoint.
        _turn = await Coturn.StartAsync();
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            // Every page of every test connects from 127.0.0.1; the per-IP connect limit is not what they test.
            ["Realtime:ConnectRatePerIp"] = "1000",
            ["Voip:AdmissionsPerMinutePerIp"] = "1000",
            ["Voip:Ice:TurnUrls:0"] = _turn.Url,
            ["Voip:Ice:TurnSecret"] = _turn.Secret,
            // Every reported notification misses this target, so the dashboard's KPI alert shows within a check (5 s).
            ["Ptt:Kpi:NotifyMs"] = "0",
            ["Ptt:Kpi:MinimumSamples"] = "1",
            ["Ptt:Kpi:CheckSeconds"] = "5",
        }, services: s => s.AddSingleton<ILoggerProvider>(_logs));
        await SeedReportAsync();
    }

    /// <summary>The office whose kept report the dashboard test reads (days end at midnight: a test cannot wait for one).</summary>
    private const string ReportOffice = "r1_reports-demo";

    /// <summary>A daily report as the generator keeps it (PttReports), for <see cref="ReportOffice"/>.</summary>
    private async Task SeedReportAsync()
    {
        var figures = new PttDailyStats(ReportOffice, "2026-12-01", "Asia/Seoul", 12, 34.5, 172.5, 5, 14, 2, 0.1429, 0.0714, 3.2, 7.9, 41, 88,
            120, 650, 0.98, new Dictionary<string, int> { ["released"] = 11, ["heartbeat_lost"] = 1 });
        var report = new PttReport(PttReports.IdOf(ReportOffice, PttReports.Day, new DateOnly(2026, 12, 1)), ReportOffice, PttReports.Day,
            "2026-12-01", "2026-12-02", "Asia/Seoul", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), figures, 4, 6);
        Assert.True(await _server.Services.GetRequiredService<PttStore>().InsertReportAsync(new ReportRow
        {
            ReportId = report.ReportId, Office = report.Office, Period = report.Period, PeriodStart = report.Start, PeriodEnd = report.End,
            TimeZone = report.TimeZone, GeneratedAt = report.GeneratedAt, Data = JsonSerializer.Serialize(report, PttJsonContext.Default.PttReport),
        }));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _turn.Dispose();
        Assert.Empty(_logs.Errors);
    }

    [Fact]
    public async Task Pages_InChromium_AllPass()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium),
            $"Chromium is missing at {chromium}: install Debian's package (`apt-get install chromium`; ./test.sh does) or set CHROMIUM_PATH.");
        var playwright = Path.Combine(RepoRoot.Path, "tests", "browser", "node_modules", "playwright-core", "package.json");
        Assert.True(File.Exists(playwright), "tests/browser/node_modules is missing: run `npm ci --prefix tests/browser` first (./test.sh does).");

        var (exitCode, output) = await NodeTestRun.RunAsync(Path.Combine("tests", "browser") + Path.DirectorySeparatorChar,
            new Dictionary<string, string>
            {
                ["HEARTLINE_URL"] = _server.BaseAddress.ToString().TrimEnd('/'),
                ["CHROMIUM_PATH"] = chromium,
                ["HEARTLINE_TURN_URL"] = _turn.Url,
                ["HEARTLINE_TURN_SECRET"] = _turn.Secret,
                ["HEARTLINE_TURN_REQUIRED"] = "1",
                ["HEARTLINE_REPORT_OFFICE"] = ReportOffice,
            }, NodeTimeout);

        Assert.True(exitCode == 0, $"node --test tests/browser/ exited {exitCode}:{Environment.NewLine}{output}{Environment.NewLine}"
            + $"Server warnings and errors:{Environment.NewLine}{string.Join(Environment.NewLine, _logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}"))}");
    }

    [Theory]
    [InlineData("/", "/console/")]
    [InlineData("/console/", "/console/console.js")]
    [InlineData("/driver/", "/driver/manifest.webmanifest")]
    [InlineData("/dashboard/", "/dashboard/dashboard.js")]
    [InlineData("/admin/", "/admin/admin.js")]
    [InlineData("/call/", "/call/call.js")]
    public async Task Page_IsServedAsHtml(string path, string reference)
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reference, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sdk/ptt.js", "text/javascript", "export class PttClient")]
    [InlineData("/sdk/voip.js", "text/javascript", "root.connectAsGuest = connectAsGuest")]
    [InlineData("/lib/uPlot.esm.js", "text/javascript", "uPlot")]
    [InlineData("/driver/manifest.webmanifest", "application/manifest+json", "\"start_url\": \"/driver/\"")]
    [InlineData("/driver/sw.js", "text/javascript", "caches.open")]
    public async Task Asset_IsServedWithItsType(string path, string mediaType, string content)
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
