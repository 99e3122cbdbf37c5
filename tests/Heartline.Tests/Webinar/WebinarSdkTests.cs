using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Webinar;

/// <summary>The browser module and pages: served by the server, driven end to end from Node against the real server.</summary>
public sealed class WebinarSdkTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync().WaitAsync(Timeout);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/sdk/webinar.js", "javascript")]
    [InlineData("/webinar/index.html", "html")]
    [InlineData("/webinar/stats.html", "html")]
    [InlineData("/webinar/stats.js", "javascript")]
    public async Task StaticFiles_AreServed(string path, string type)
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync(path).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(type, response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void Pages_NeverInsertHtmlFromStrings()
    {
        var root = Path.Combine(RepoRoot.Path, "src", "Heartline.Server", "wwwroot");
        var scripts = Directory.GetFiles(Path.Combine(root, "webinar"), "*.js").Append(Path.Combine(root, "sdk", "webinar.js"));

        foreach (var file in scripts)
        {
            var text = File.ReadAllText(file);
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write" })
                Assert.False(text.Contains(sink, StringComparison.Ordinal), $"{Path.GetFileName(file)} uses {sink}");
        }
    }

    [Fact]
    public async Task Module_TracksPingsExitsWhenHiddenWithFetchFallback_AndStartsAnewWhenShown()
    {
        using var admin = _server.CreateHttpClient(_server.Token("boss", role: Roles.Admin));
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var created = await admin.PostAsJsonAsync("/api/webinars", new
        {
            title = "sdk", webinar_start_time = start, webinar_scheduled_end_time = start.AddHours(1),
        }).WaitAsync(Timeout);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var output = await RunNodeAsync(Path.Combine(RepoRoot.Path, "tests", "js", "webinar-sdk-check.mjs"),
            _server.BaseAddress.ToString().TrimEnd('/'), id);

        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("created", result.GetProperty("tracked").GetString());
        Assert.Equal(120, result.GetProperty("interval").GetInt32());
        Assert.True(result.GetProperty("pingCollecting").GetBoolean());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("viewerToken").GetString()));
        var firstKey = result.GetProperty("firstKey").GetString()!;
        var secondKey = result.GetProperty("secondKey").GetString()!;
        Assert.Matches("^session_[0-9]+_[0-9a-f]+$", firstKey);
        Assert.NotEqual(firstKey, secondKey);
        // Only the viewer token is shared between tabs; session keys live in the page.
        Assert.Equal("heartline.webinar.viewer_token", Assert.Single(result.GetProperty("storageKeys").EnumerateArray()).GetString());
        // Each exit tried sendBeacon first (refused here) with the key and token, then fetch with keepalive.
        var beacons = result.GetProperty("beacons").EnumerateArray().ToList();
        Assert.Equal(2, beacons.Count);
        Assert.All(beacons, b => Assert.EndsWith("/access/exit", b.GetProperty("path").GetString()));
        Assert.Equal(firstKey, beacons[0].GetProperty("body").GetProperty("session_key").GetString());
        var exits = result.GetProperty("fetches").EnumerateArray().Where(f => f.GetProperty("url").GetString()!.EndsWith("/access/exit", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, exits.Count);
        Assert.All(exits, f => Assert.True(f.GetProperty("keepalive").GetBoolean()));

        // Two tabs: two sessions of one viewer (the second tab got no new viewer token); A's exit left B's session open.
        var tabs = result.GetProperty("tabs");
        Assert.Equal("created", tabs.GetProperty("statusA").GetString());
        Assert.Equal("created", tabs.GetProperty("statusB").GetString());
        Assert.NotEqual(tabs.GetProperty("keyA").GetString(), tabs.GetProperty("keyB").GetString());
        Assert.Equal(JsonValueKind.Null, tabs.GetProperty("newTokenB").ValueKind);
        Assert.Equal("open", tabs.GetProperty("pingB").GetString());
        // A background tab sent nothing until it was shown, then tracked a session of its own.
        var background = result.GetProperty("background");
        Assert.Equal(JsonValueKind.Null, background.GetProperty("start").ValueKind);
        Assert.Equal(0, background.GetProperty("fetchesWhileHidden").GetInt32());
        Assert.Matches("^session_[0-9]+_[0-9a-f]+$", background.GetProperty("key").GetString());

        using var csv = await admin.GetAsync($"/api/webinars/{id}/attendees.csv").WaitAsync(Timeout);
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rows.Count(r => r.StartsWith("session,", StringComparison.Ordinal) && r.Contains(",exit,", StringComparison.Ordinal)));
        Assert.Single(rows, r => r.StartsWith("viewer,", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(firstKey, StringComparison.Ordinal) && r.Contains("https://partner.example/", StringComparison.Ordinal));
    }

    private static async Task<string> RunNodeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
