using System.Diagnostics;

namespace Heartline.Cli.Commands;

/// <summary>
/// What every scenario shares: the settings, the fleet, the progress display, the server probe and the result being
/// filled. The server is sampled before the fleet connects (baseline), when the scenario says it is loaded, and around
/// the measured phase (CPU).
/// </summary>
internal sealed class LoadTestRun : IAsyncDisposable
{
    private ProcessSample? _baseline;
    private ProcessSample? _loaded;
    private ProcessSample? _measureStart;
    private ProcessSample? _measureEnd;
    private TimeSpan _driverCpuStart;
    private double _driverWaitStart;
    private long _driverStart;

    public LoadTestRun(LoadTestSettings settings, LoadTestProgress progress, LoadTestServerProbe? probe)
    {
        Settings = settings;
        Progress = progress;
        Probe = probe;
        Fleet = new LoadTestFleet(settings, progress);
        Result = new LoadTestResult
        {
            Scenario = settings.Scenario,
            Preset = settings.Preset,
            Server = settings.Server.ToString().TrimEnd('/'),
            StartedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Offices = settings.Offices,
            ListenersPerOffice = settings.Listeners,
        };
    }

    public LoadTestSettings Settings { get; }
    public LoadTestProgress Progress { get; }
    public LoadTestServerProbe? Probe { get; }
    public LoadTestFleet Fleet { get; }
    public LoadTestResult Result { get; }

    /// <summary>Samples the baseline, connects the fleet and records how that went.</summary>
    public async Task ConnectAsync(bool withSpeakers, string memberRole, Action<LoadTestClient> configure, CancellationToken cancellationToken)
    {
        _baseline = Probe?.Sample();
        Result.Connect = await Fleet.ConnectAsync(withSpeakers, memberRole, configure, cancellationToken).ConfigureAwait(false);
        Result.Connections = Result.Connect.Connected;
        _loaded = Probe?.Sample();
    }

    /// <summary>Takes the "loaded" memory sample again (the idle scenario does so after its hold).</summary>
    public void SampleLoaded() => _loaded = Probe?.Sample();

    public void MeasureStart()
    {
        _measureStart = Probe?.Sample();
        _driverCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _driverWaitStart = LoadTestServerProbe.RunQueueWaitSeconds(Environment.ProcessId);
        _driverStart = Stopwatch.GetTimestamp();
    }

    public void MeasureEnd()
    {
        _measureEnd = Probe?.Sample();
        var seconds = Stopwatch.GetElapsedTime(_driverStart).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _driverCpuStart).TotalSeconds;
        var wait = LoadTestServerProbe.RunQueueWaitSeconds(Environment.ProcessId) - _driverWaitStart;
        Result.Driver = new DriverUsage(seconds > 0 ? Math.Round(cpu / seconds * 100, 1) : 0, Environment.ProcessorCount,
            seconds > 0 ? Math.Round(wait / seconds * 100, 1) : 0);
    }

    /// <summary>
    /// The server's managed heap (<c>managed_memory_bytes</c> of <c>GET /api/admin/stats</c>, with an admin token minted like
    /// the fleet's), or null when the server does not answer it. Splits resident memory into managed and the rest.
    /// </summary>
    public async Task<long?> ManagedHeapBytesAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var tokens = new LoadTestTokens(Settings);
            var token = await tokens.MintAsync("lt-admin", "admin", "hq", cancellationToken).ConfigureAwait(false);
            using var http = ServerOption.CreateHttpClient(Settings.Server);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await http.GetAsync("/api/admin/stats", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return document.RootElement.TryGetProperty("managed_memory_bytes", out var heap) && heap.TryGetInt64(out var bytes) ? bytes : null;
        }
        catch (Exception ex) when (ex is CliFailure or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Waits for <paramref name="task"/> up to the run's timeout; false when it did not complete.</summary>
    public async Task<bool> WithinTimeoutAsync(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(Settings.Timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A cancellation token that fires after the run's timeout.</summary>
    public CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Settings.Timeout);
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync().ConfigureAwait(false);
        Result.AddErrors(Fleet.Errors);
        Result.ServerUsage = ServerUsage.From(Probe, _baseline, _loaded, _measureStart, _measureEnd, Result.Connections);
        if (Result.ServerUsage is { } server && (Result.FramesDelivered ?? Result.Delivered) is > 0 and var delivered)
            Result.ServerCpuUsPerDelivery = Math.Round(server.CpuSeconds * 1e6 / delivered, 2);
    }
}
