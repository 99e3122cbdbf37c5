using System.Net.Http.Json;
using Heartline.Core.Channels;
using Heartline.Core.Events;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary>
/// Checks the seed's KPI targets (<see cref="PttKpiOptions"/>) per office over the last window: a breach is announced
/// once, as <c>kpi_alert</c> on <c>ptt:{office}</c> (the dashboard shows it), as <c>KPI_BREACHED</c> in the event log
/// and to the webhook; its recovery the same way (<c>KPI_RECOVERED</c>). A figure with too few samples is not judged.
/// </summary>
internal sealed partial class KpiAlerts(PttStore store, PttStatistics statistics, IChannels channels, IEventLog events,
    IHttpClientFactory http, IOptions<PttKpiOptions> options, TimeProvider time, ILogger<KpiAlerts> logger) : ISweeper
{
    public string Name => "ptt-kpi";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = now - o.WindowMinutes * 60_000L;
        var offices = (await store.OfficesSinceAsync(from, cancellationToken).ConfigureAwait(false))
            .Union(await store.BreachedOfficesAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var announced = 0;
        foreach (var office in offices)
        {
            var window = await statistics.KpiAsync(office, from, now + 1, cancellationToken).ConfigureAwait(false);
            foreach (var (kpi, value, target, judged) in Judge(window, o))
            {
                if (!judged || value is not { } v) continue;
                // The seed's targets are upper bounds not to reach ("< 100 ms", "< 0.1 %").
                var breached = v >= target;
                if (!await store.KpiTransitionAsync(office, kpi, breached, v, now, cancellationToken).ConfigureAwait(false)) continue;
                await AnnounceAsync(new KpiAlert("kpi_alert", office, kpi, breached ? "breached" : "recovered", Math.Round(v, 4), target,
                    o.WindowMinutes, now), cancellationToken).ConfigureAwait(false);
                announced++;
            }
        }
        return announced;
    }

    /// <summary>The office's KPIs in breach now, as the alerts that announced them (a dashboard opened later shows them).</summary>
    public async Task<IReadOnlyList<KpiAlert>> CurrentAsync(string office, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var targets = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["notify_ms"] = o.NotifyMs, ["token_ms"] = o.TokenMs, ["join_ms"] = o.JoinMs, ["error_rate"] = o.ErrorRate,
        };
        var breaches = await store.BreachesAsync(office, cancellationToken).ConfigureAwait(false);
        return [.. breaches.Where(b => targets.ContainsKey(b.Kpi))
            .Select(b => new KpiAlert("kpi_alert", office, b.Kpi, "breached", Math.Round(b.Value ?? 0, 4), targets[b.Kpi], o.WindowMinutes, b.ChangedAt))];
    }

    private static IEnumerable<(string Kpi, double? Value, double Target, bool Judged)> Judge(KpiWindow w, PttKpiOptions o)
    {
        yield return ("notify_ms", w.NotifyMs, o.NotifyMs, w.NotifySamples >= o.MinimumSamples);
        yield return ("token_ms", w.TokenMs, o.TokenMs, w.TokenSamples >= o.MinimumSamples);
        yield return ("join_ms", w.JoinMs, o.JoinMs, w.JoinSamples >= o.MinimumSamples);
        yield return ("error_rate", w.ErrorRate, o.ErrorRate, w.Attempts >= o.MinimumAttempts);
    }

    private async Task AnnounceAsync(KpiAlert alert, CancellationToken cancellationToken)
    {
        channels.Publish(PttChannels.EventChannel(alert.Office), alert, PttJsonContext.Default.KpiAlert);
        var metadata = new Dictionary<string, string>
        {
            ["kpi"] = alert.Kpi,
            ["value"] = alert.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["target"] = alert.Target.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        events.Enqueue(new EventRecord(0, alert.State == "breached" ? PttEventTypes.KpiBreached : PttEventTypes.KpiRecovered, alert.Office, null, null,
            alert.At, System.Text.Json.JsonSerializer.Serialize(metadata, PttJsonContext.Default.DictionaryStringString)));
        Log.Alert(logger, alert.Office, alert.Kpi, alert.State, alert.Value, alert.Target);
        if (options.Value.WebhookUrl is not { Length: > 0 } url) return;
        try
        {
            using var response = await http.CreateClient(nameof(KpiAlerts)).PostAsJsonAsync(url, alert, PttJsonContext.Default.KpiAlert, cancellationToken)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) Log.WebhookRefused(logger, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The alert is on the channel and in the log; a webhook that is down does not hold the checks up.
            Log.WebhookFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3301, LogLevel.Warning, "KPI {Kpi} of office {Office} is {State}: {Value} against a target of {Target}.")]
        public static partial void Alert(ILogger logger, string office, string kpi, string state, double value, double target);

        [LoggerMessage(3302, LogLevel.Warning, "The KPI webhook answered {Status}.")]
        public static partial void WebhookRefused(ILogger logger, int status);

        [LoggerMessage(3303, LogLevel.Warning, "The KPI webhook could not be reached.")]
        public static partial void WebhookFailed(ILogger logger, Exception exception);
    }
}
