using System.Text.RegularExpressions;
using Heartline.Core.Operations;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Integration;

/// <summary>Every response carries the security headers; pages, scripts and styles are revalidated on each load.</summary>
public sealed partial class WebPagesTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() => _server = await HeartlineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/console/")]
    [InlineData("/driver/")]
    [InlineData("/sdk/ptt.js")]
    [InlineData("/health")]
    public async Task Responses_CarryTheSecurityHeaders(string path)
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync(path).WaitAsync(Timeout);

        response.EnsureSuccessStatusCode();
        Assert.Equal(WebPages.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("frame-ancestors 'none'", WebPages.ContentSecurityPolicy);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("microphone=(self)", Assert.Single(response.Headers.GetValues("Permissions-Policy")));
    }

    [Theory]
    [InlineData("/console/")]
    [InlineData("/sdk/heartline.js")]
    [InlineData("/driver/sw.js")]
    public async Task PagesAndScripts_AreRevalidatedOnEveryLoad(string path)
    {
        using var http = _server.CreateHttpClient();

        using var response = await http.GetAsync(path).WaitAsync(Timeout);

        response.EnsureSuccessStatusCode();
        Assert.True(response.Headers.CacheControl?.NoCache, $"{path} has Cache-Control: {response.Headers.CacheControl}");
        Assert.NotNull(response.Headers.ETag);
    }

    /// <summary>The policy allows no inline script: every page loads its scripts from files.</summary>
    [Fact]
    public void ServedPages_HaveNoInlineScriptsOrStyles()
    {
        var root = Path.Combine(RepoRoot.Path, "src", "Heartline.Server", "wwwroot");
        var offending = Directory.EnumerateFiles(root, "*.html", SearchOption.AllDirectories)
            .Where(f => InlineScript().IsMatch(File.ReadAllText(f)) || InlineStyle().IsMatch(File.ReadAllText(f))
                        || InlineHandler().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.NotEmpty(Directory.EnumerateFiles(root, "*.html", SearchOption.AllDirectories));
        Assert.Empty(offending);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style\b|\sstyle=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyle();

    [GeneratedRegex(@"\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
