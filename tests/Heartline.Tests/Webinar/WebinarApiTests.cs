using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Webinar;

/// <summary>
/// The webinar HTTP API on the real server (loopback Kestrel), with a manual clock so heartbeats can be spaced.
/// Subclasses choose the database.
/// </summary>
public abstract partial class WebinarApiTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private protected FakeTimeProvider Clock { get; } =
        new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    private protected HeartlineServer Server { get; private set; } = null!;

    private protected HttpClient Anonymous { get; private set; } = null!;

    private protected HttpClient Admin { get; private set; } = null!;

    /// <summary>Extra settings for the server (the database of a subclass).</summary>
    protected virtual Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Server = await HeartlineServer.StartAsync(await SettingsAsync(),
            services: s => s.AddSingleton<TimeProvider>(Clock)).WaitAsync(Timeout);
        Anonymous = Server.CreateHttpClient();
        Admin = Server.CreateHttpClient(Server.Token("boss", role: Roles.Admin));
    }

    public async Task DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
        await CleanUpAsync().WaitAsync(Timeout);
    }

    private protected async Task<string> CreateWebinarAsync(double startsInMinutes = -1, int minutes = 60, int? postWindow = null)
    {
        var start = Clock.GetUtcNow().AddMinutes(startsInMinutes);
        using var response = await Admin.PostAsJsonAsync("/api/webinars", new
        {
            title = "하트라인 웨비나",
            webinar_start_time = start,
            webinar_scheduled_end_time = start.AddMinutes(minutes),
            post_window_minutes = postWindow,
        }).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("id").GetString()!;
    }

    private protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement.Clone();

    private protected static Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string url, object body) =>
        http.PostAsJsonAsync(url, body).WaitAsync(Timeout);

    /// <summary>What navigator.sendBeacon(url, JSON.stringify(body)) sends: text/plain;charset=UTF-8.</summary>
    private protected static Task<HttpResponseMessage> BeaconAsync(HttpClient http, string url, object body) =>
        http.PostAsync(url, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "text/plain")).WaitAsync(Timeout);

    private protected static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await JsonAsync(response)).GetProperty("code").GetString());
    }

    /// <summary>Tracks a new session as a new guest and returns the key and the guest's viewer token.</summary>
    private protected async Task<(string Key, string Token)> TrackGuestAsync(string webinarId, string key, string? userAgent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webinars/{webinarId}/access/track")
        {
            Content = JsonContent.Create(new { session_key = key, referrer = "https://partner.example/invite" }),
        };
        if (userAgent is not null) request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        using var response = await Anonymous.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("created", body.GetProperty("status").GetString());
        return (key, body.GetProperty("viewer_token").GetString()!);
    }

    private protected static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
