using System.Text.Json;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Ptt;

/// <summary>The seed's KPI targets on a real server and a manual clock: a breach is alerted once, on the office's channel and the webhook, then its recovery.</summary>
public sealed class PttKpiAlertTests : PttServerTest
{
    private LocalWebhook? _hook;

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        _hook = await LocalWebhook.StartAsync("/kpi", Timeout);
        var url = _hook.Url;
        return new Dictionary<string, string?>
        {
            ["Ptt:Kpi:NotifyMs"] = "20",
            ["Ptt:Kpi:MinimumSamples"] = "1",
            ["Ptt:Kpi:MinimumAttempts"] = "1",
            ["Ptt:Kpi:ErrorRate"] = "0.5",
            ["Ptt:Kpi:WindowMinutes"] = "60",
            ["Ptt:Kpi:CheckSeconds"] = "3600",
            ["Ptt:Kpi:WebhookUrl"] = url,
        };
    }

    protected override async Task CleanUpAsync()
    {
        if (_hook is not null) await _hook.DisposeAsync();
    }

    private async Task TransmitAsync(WsClient speaker, WsClient listener, double notifyMs)
    {
        var press = await speaker.PressAsync();
        await listener.NextPttAsync("session_started");
        Assert.True((await listener.RequestAsync("ptt.report", new { session_id = press.GetProperty("session_id").GetString(), notify_ms = notifyMs })).IsOk);
        (await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() })).AssertOk();
        await listener.NextPttAsync("session_ended");
        await Server.Services.GetRequiredService<PttStore>().FlushAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task ANotifyAverageOverTarget_IsAlertedOnce_OnTheChannelAndTheWebhook_ThenItsRecovery()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var kpi = Server.Services.GetRequiredService<KpiAlerts>();

        await TransmitAsync(speaker, listener, notifyMs: 80);
        Assert.Equal(1, await kpi.SweepAsync(CancellationToken.None).WaitAsync(Timeout));

        var alert = await listener.NextPttAsync("kpi_alert");
        Assert.Equal(("r1_o1", "notify_ms", "breached", 80.0, 20.0), (alert.GetProperty("office").GetString(), alert.GetProperty("kpi").GetString(),
            alert.GetProperty("state").GetString(), alert.GetProperty("value").GetDouble(), alert.GetProperty("target").GetDouble()));
        var hooked = await _hook!.Received.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(("notify_ms", "breached"), (hooked.GetProperty("kpi").GetString(), hooked.GetProperty("state").GetString()));
        // Still over target: nothing new. The error rate (no failed attempt) was judged within target and said nothing.
        Assert.Equal(0, await kpi.SweepAsync(CancellationToken.None).WaitAsync(Timeout));
        // A dashboard opened now learns the breach from the API, not only from a live alert.
        using (var late = Http("cm7", Roles.CallManager))
        {
            var current = Assert.Single((await GetJsonAsync(late, "/api/ptt/kpi")).EnumerateArray());
            Assert.Equal(("notify_ms", "breached", 80.0, 20.0), (current.GetProperty("kpi").GetString(), current.GetProperty("state").GetString(),
                current.GetProperty("value").GetDouble(), current.GetProperty("target").GetDouble()));
        }

        // An hour later the slow transmission is out of the window; a quick one brings the average back.
        // (The first pair's tokens expired meanwhile: a new pair.)
        Clock.Advance(TimeSpan.FromMinutes(61));
        var speaker2 = await MemberAsync("drv3");
        var listener2 = await MemberAsync("drv4");
        await TransmitAsync(speaker2, listener2, notifyMs: 5);
        Assert.Equal(1, await kpi.SweepAsync(CancellationToken.None).WaitAsync(Timeout));
        var recovered = await listener2.NextPttAsync("kpi_alert");
        Assert.Equal(("recovered", 5.0), (recovered.GetProperty("state").GetString(), recovered.GetProperty("value").GetDouble()));
        Assert.Equal("recovered", (await _hook!.Received.Reader.ReadAsync().AsTask().WaitAsync(Timeout)).GetProperty("state").GetString());
        using (var after = Http("cm7", Roles.CallManager))
            Assert.Equal(0, (await GetJsonAsync(after, "/api/ptt/kpi")).GetArrayLength());
        using (var other = Http("cm9", Roles.CallManager, office: "o9"))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await other.GetAsync("/api/ptt/kpi?office=r1_o1")).StatusCode);

        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(Timeout);
        using var http = Http("drv3");
        var events = await GetJsonAsync(http, "/api/ptt/events?office=r1_o1&type=KPI_BREACHED");
        Assert.Single(events.GetProperty("items").EnumerateArray());
    }
}
