using System.Net;
using System.Text.Json;
using Heartline.Server.Auth;
using Heartline.Server.Webinar;
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

    private sealed class OverloadedStore : IWebinarStore
    {
        public Task<SessionChangeResult> ChangeSessionAsync(string webinarId, string sessionKey, PresenceUpdate presence,
            SessionDecider decide, CancellationToken cancellationToken = default) => throw new WebinarOverloadedException();

        public Task<WebinarRecord?> TouchPresenceAsync(string webinarId, PresenceUpdate presence, Func<WebinarRecord, bool> accept,
            CancellationToken cancellationToken = default) => throw new WebinarOverloadedException();

        public Task CreateWebinarAsync(WebinarRecord webinar, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<WebinarRecord?> GetWebinarAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> UpdateWebinarAsync(WebinarRecord webinar, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<WebinarRecord>> ListWebinarsAsync(int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<SessionRow?> GetSessionAsync(string webinarId, string sessionKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<int> CountLiveViewersAsync(string webinarId, long seenSince, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<StatsRows> ReadStatsSessionsAsync(string webinarId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<SessionRow>> ReadSessionsAsync(string webinarId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<int> CloseStaleAsync(long heartbeatBefore, long now, CancellationToken cancellationToken = default) => Task.FromResult(0);
        public Task<int> PurgeClosedAsync(long closedBefore, int limit, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }
}
