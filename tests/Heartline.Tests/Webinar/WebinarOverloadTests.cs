using System.Net;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Webinar;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Webinar;

/// <summary>A full heartbeat queue is a temporary condition with a stable code, not a server fault.</summary>
public sealed class WebinarOverloadTests
{
    [Fact]
    public async Task Ping_WhenTheHeartbeatQueueIsFull_Is503UnavailableWithRetryAfter()
    {
        await using var server = await HeartlineServer.StartAsync(
            services: s => s.AddSingleton<IWebinarStore, OverloadedStore>()).WaitAsync(TimeSpan.FromSeconds(30));
        using var http = server.CreateHttpClient(server.Token("u1", role: Roles.Viewer));

        using var response = await http.PostAsJsonAsync($"/api/webinars/{Guid.NewGuid()}/presence/ping",
            new { session_key = "overloaded-key" }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unavailable", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TrackAndPing_BeyondTheRatePerAddress_Are429RateLimited_WhileExitStillCloses()
    {
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Webinar:RequestRatePerIp"] = "2",
            ["Webinar:RequestRateWindowSeconds"] = "3600",
        }).WaitAsync(TimeSpan.FromSeconds(30));
        using var admin = server.CreateHttpClient(server.Token("boss", role: Roles.Admin));
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var created = await admin.PostAsJsonAsync("/api/webinars", new
        {
            title = "limited", webinar_start_time = start, webinar_scheduled_end_time = start.AddHours(1),
        }).WaitAsync(TimeSpan.FromSeconds(30));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var viewer = server.CreateHttpClient(server.Token("u1", role: Roles.Viewer));

        using var track = await viewer.PostAsJsonAsync($"/api/webinars/{id}/access/track", new { session_key = "limited-key-1" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        using var ping = await viewer.PostAsJsonAsync($"/api/webinars/{id}/presence/ping", new { session_key = "limited-key-1" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        using var refused = await viewer.PostAsJsonAsync($"/api/webinars/{id}/presence/ping", new { session_key = "limited-key-1" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        using var exit = await viewer.PostAsJsonAsync($"/api/webinars/{id}/access/exit", new { session_key = "limited-key-1" })
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (track.StatusCode, ping.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, exit.StatusCode);
        Assert.Equal("exited", JsonDocument.Parse(await exit.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    private sealed class OverloadedStore : IWebinarStore
    {
        public Task<SessionChangeResult> ChangeSessionAsync(string webinarId, string sessionKey, PresenceUpdate presence,
            SessionDecider decide, bool exit = false, CancellationToken cancellationToken = default) => throw new WebinarOverloadedException();

        public Task<WebinarRecord?> TouchPresenceAsync(string webinarId, PresenceUpdate presence, Func<WebinarRecord, bool> accept,
            CancellationToken cancellationToken = default) => throw new WebinarOverloadedException();

        public Task CreateWebinarAsync(WebinarRecord webinar, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<WebinarRecord?> GetWebinarAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> UpdateWebinarAsync(WebinarRecord webinar, long expectedUpdatedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<WebinarRecord>> ListWebinarsAsync(int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<WebinarRecord>> ListAgencyWebinarsAsync(string agencyId, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> WebinarsOfUserAsync(string userId, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> DeleteWebinarAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<SessionRow?> GetSessionAsync(string webinarId, string sessionKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<int> CountLiveViewersAsync(string webinarId, long seenSince, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<StatsRows> ReadStatsSessionsAsync(string webinarId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<SessionRow>> ReadSessionsAsync(string webinarId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<int> CloseStaleAsync(long heartbeatBefore, long now, CancellationToken cancellationToken = default) => Task.FromResult(0);
        public Task<int> PurgeClosedAsync(long closedBefore, int limit, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }
}
