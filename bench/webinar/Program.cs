// Bounded webinar benchmarks against the real server (Kestrel on loopback, started in this process):
//   pings  — sustained presence pings with session keys per second, for a fixed time
//   stats  — GET /api/webinars/{id}/stats over N generated sessions, a fixed number of runs
// Every loop is bounded by a duration and a count. See docs/benchmarks.md.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

var mode = args.Length > 0 ? args[0] : "";
var options = Options.Parse(args.Skip(1).ToArray());
if (mode is not ("pings" or "stats" or "pings-direct"))
{
    Console.Error.WriteLine("usage: pings|stats [--provider sqlite|postgres] [--pg CONNECTION] [--seconds 10] [--viewers 1000] " +
        "[--concurrency 32] [--sessions 100000] [--runs 20]");
    return 2;
}

if (options.Url is not null)
{
    // A server already running in its own process (bench/webinar/run.sh starts the real host): the load generator's
    // CPU is then apart from the server's, which is read from /proc/<pid>/stat.
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(options.Url), Timeout = TimeSpan.FromSeconds(30) };
    var token = await DevTokenAsync(http);
    http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    var webinarId = await CreateWebinarAsync(http);
    http.DefaultRequestHeaders.Authorization = null;
    Console.WriteLine($"# {mode} on {options.Url} (server pid {options.ServerPid}), {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
    return mode == "pings" ? await Benchmarks.PingsAsync(http, webinarId, options) : 2;
}

var dataDir = Path.Combine(Path.GetTempPath(), "heartline-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dataDir);
var connectionString = options.Provider == "postgres"
    ? options.Postgres ?? throw new ArgumentException("--pg is required for postgres")
    : $"Data Source={Path.Combine(dataDir, "heartline.db")}";
var app = HeartlineHost.Build([
    "--environment", "Testing", "--urls", "http://127.0.0.1:0",
    "--Storage:Provider", options.Provider, "--Storage:ConnectionString", connectionString,
    "--Webinar:RequestRatePerIp", "10000000",
    "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Heartline.Webinar", Environment.GetEnvironmentVariable("BENCH_WEBINAR_LOG") ?? "Warning",
]);
await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
try
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    var token = await DevTokenAsync(http);
    http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    var webinarId = await CreateWebinarAsync(http);
    http.DefaultRequestHeaders.Authorization = null;
    Console.WriteLine($"# {mode} on {options.Provider}, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
    return mode switch
    {
        "pings" => await Benchmarks.PingsAsync(http, webinarId, options),
        "pings-direct" => await Benchmarks.PingsDirectAsync(app, webinarId, options),
        _ => await Benchmarks.StatsAsync(app, http, token, webinarId, options, connectionString),
    };
}
finally
{
    await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
    await app.DisposeAsync();
    SqliteConnection.ClearAllPools();
    NpgsqlConnection.ClearAllPools();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}

static async Task<string> DevTokenAsync(HttpClient http)
{
    using var response = await http.PostAsJsonAsync("/api/auth/dev-token",
        new { user_id = "bench-admin", role = "admin", region_id = "r1", office_id = "o1" });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
}

static async Task<string> CreateWebinarAsync(HttpClient http)
{
    var start = DateTimeOffset.UtcNow.AddMinutes(-30);
    using var response = await http.PostAsJsonAsync("/api/webinars", new
    {
        title = "bench", webinar_start_time = start, webinar_scheduled_end_time = start.AddHours(2),
    });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
}

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

internal sealed record Options(string Provider, string? Postgres, int Seconds, int Viewers, int Concurrency, int Sessions, int Runs,
    string? Url, int? ServerPid, int WarmupSeconds)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int Int(string name, int fallback, int max) =>
            Math.Clamp(int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture), 1, max);
        return new Options(Get("provider", "sqlite"), args.Contains("--pg") ? Get("pg", "") : null,
            Int("seconds", 10, 120), Int("viewers", 1000, 20_000), Int("concurrency", 32, 512),
            Int("sessions", 100_000, 1_000_000), Int("runs", 20, 200),
            args.Contains("--url") ? Get("url", "") : null,
            args.Contains("--server-pid") ? int.Parse(Get("server-pid", "0"), CultureInfo.InvariantCulture) : null,
            Int("warmup", 2, 120));
    }
}

internal sealed record SeedSession(string Id, string WebinarId, string? UserId, string? GuestId, string ViewerKey,
    string SessionId, long EnteredAt, long ExitedAt, int Duration, double Raw);

internal static class Benchmarks
{
    /// <summary>Tracks <c>viewers</c> guests, then pings round-robin from <c>concurrency</c> workers for <c>seconds</c>.</summary>
    public static async Task<int> PingsAsync(HttpClient http, string webinarId, Options options)
    {
        var sessions = new (string Key, string Token)[options.Viewers];
        await Parallel.ForAsync(0, sessions.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var key = $"session_bench_{i:D6}";
            using var response = await http.PostAsJsonAsync($"/api/webinars/{webinarId}/access/track", new { session_key = key }, ct);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            sessions[i] = (key, body.GetProperty("viewer_token").GetString()!);
        });

        var url = $"/api/webinars/{webinarId}/presence/ping";
        var bodies = sessions.Select(s => JsonSerializer.SerializeToUtf8Bytes(new
        {
            session_key = s.Key, viewer_token = s.Token, view_state = new { is_visible = true, is_active = true },
        })).ToArray();

        // Warm-up (JIT, pools), then the measured window.
        var server = http.BaseAddress!;
        var requests = bodies.Select(b => RawHttpConnection.Post(server, url, b)).ToArray();
        var connections = new RawHttpConnection[options.Concurrency];
        for (var i = 0; i < connections.Length; i++) connections[i] = await RawHttpConnection.OpenAsync(server);
        try
        {
            await RunAsync(TimeSpan.FromSeconds(options.WarmupSeconds));
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = ServerCpu(options.ServerPid);
            var (count, failures, latencies, elapsed) = await RunAsync(TimeSpan.FromSeconds(options.Seconds));
            // CPU per ping does not depend on what else the machine runs; the capacity it implies is for all cores of an
            // otherwise idle machine. In process it is server and load generator together (an upper bound for the
            // server); with --server-pid the two are apart.
            var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / Math.Max(1, count);
            if (options.ServerPid is null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cpu: {cpuMicros:F0} µs per ping (server + load generator) → {Environment.ProcessorCount * 1_000_000 / cpuMicros:F0}/s on {Environment.ProcessorCount} idle cores; machine load average {LoadAverage()}"));
            }
            else
            {
                var serverMicros = (ServerCpu(options.ServerPid) - serverBefore).TotalMicroseconds / Math.Max(1, count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cpu: server {serverMicros:F0} µs per ping (→ {Environment.ProcessorCount * 1_000_000 / serverMicros:F0}/s on {Environment.ProcessorCount} cores of its own), load generator {cpuMicros:F0} µs; machine load average {LoadAverage()}"));
            }
            Array.Sort(latencies);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pings: {count} in {elapsed.TotalSeconds:F1} s = {count / elapsed.TotalSeconds:F0}/s, failures {failures}, " +
                $"latency p50 {Percentile(latencies, 0.5):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms " +
                $"({options.Viewers} sessions, {options.Concurrency} keep-alive connections)"));
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var connection in connections) connection.Dispose();
        }

        async Task<(long Count, long Failures, double[] Latencies, TimeSpan Elapsed)> RunAsync(TimeSpan duration)
        {
            long count = 0, failures = 0, next = 0;
            var samples = new List<double>[options.Concurrency];
            var clock = Stopwatch.StartNew();
            // Bounded by time and by a hard count, whichever comes first.
            const long MaxRequests = 5_000_000;
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
            {
                var mine = samples[worker] = new List<double>(1024);
                var connection = connections[worker];
                while (clock.Elapsed < duration)
                {
                    var n = Interlocked.Increment(ref next);
                    if (n > MaxRequests) break;
                    var started = Stopwatch.GetTimestamp();
                    var status = await connection.SendAsync(requests[n % requests.Length]);
                    if (status == 200) Interlocked.Increment(ref count); else Interlocked.Increment(ref failures);
                    if ((n & 7) == 0) mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })));
            return (count, failures, samples.SelectMany(s => s).ToArray(), clock.Elapsed);
        }
    }

    /// <summary>The same pings without HTTP: straight into the tracker (its rules, the write queue, the database).</summary>
    public static async Task<int> PingsDirectAsync(WebApplication app, string webinarId, Options options)
    {
        var tracker = app.Services.GetRequiredService<Heartline.Webinar.WebinarTracker>();
        var client = new Heartline.Webinar.ClientDetails("bench", null, "127.0.0.1");
        var viewers = Enumerable.Range(0, options.Viewers).Select(i => Heartline.Webinar.Viewer.Guest($"{i:x32}")).ToArray();
        for (var i = 0; i < viewers.Length; i++)
            await tracker.TrackAsync(webinarId, viewers[i], $"session_bench_{i:D6}", true, client);
        long count = 0, next = 0;
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref next) < 5_000_000)
            {
                var i = (int)(next % viewers.Length);
                var result = await tracker.PingAsync(webinarId, viewers[i], $"session_bench_{i:D6}", true, client);
                if (result.Decision is not null) Interlocked.Increment(ref count);
            }
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pings without HTTP: {count} in {clock.Elapsed.TotalSeconds:F1} s = {count / clock.Elapsed.TotalSeconds:F0}/s"));
        return 0;
    }

    /// <summary>Generates <c>sessions</c> sessions (about 3 per viewer, some overlapping) and times the stats endpoint.</summary>
    public static async Task<int> StatsAsync(WebApplication app, HttpClient http, string token, string webinarId, Options options, string connectionString)
    {
        var generated = Stopwatch.StartNew();
        await GenerateAsync(options, connectionString, webinarId);
        Console.WriteLine(FormattableString.Invariant($"generated {options.Sessions} sessions in {generated.Elapsed.TotalSeconds:F1} s"));
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var url = $"/api/webinars/{webinarId}/stats?viewer_limit=0";
        // The first request runs on freshly jitted code; the next ones climb the tiers. Reported apart, then the steady
        // state after 30 warm-ups (a server answering statistics all day is there).
        var cold = Stopwatch.StartNew();
        var last = await http.GetFromJsonAsync<JsonElement>(url);
        var coldMs = cold.Elapsed.TotalMilliseconds;
        for (var i = 0; i < 30; i++) last = await http.GetFromJsonAsync<JsonElement>(url);
        var times = new double[options.Runs];
        var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"garbage collections during the {options.Runs} requests: gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms"));
        Array.Sort(times);
        // The same work without HTTP: the store's ordered read, then the sweep in C#.
        var store = app.Services.GetRequiredService<Heartline.Webinar.IWebinarStore>();
        var webinar = (await store.GetWebinarAsync(webinarId))!;
        double[] reads = new double[options.Runs], computes = new double[options.Runs];
        for (var i = 0; i < options.Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var sessions = await store.ReadStatsSessionsAsync(webinarId);
            reads[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            Heartline.Webinar.WatchStatistics.Compute(webinar, sessions, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 90);
            computes[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(reads);
        Array.Sort(computes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stats parts: store read median {Percentile(reads, 0.5):F1} ms, C# sweep median {Percentile(computes, 0.5):F1} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stats: {last.GetProperty("sessions").GetInt32()} sessions, {last.GetProperty("unique_viewers").GetInt32()} viewers, " +
            $"peak {last.GetProperty("peak_concurrent_viewers").GetInt32()}; GET /stats over {options.Runs} runs: " +
            $"median {Percentile(times, 0.5):F1} ms, p95 {Percentile(times, 0.95):F1} ms, min {times[0]:F1} ms (first request after start {coldMs:F1} ms)"));
        return 0;
    }

    private static async Task GenerateAsync(Options options, string connectionString, string webinarId)
    {
        var random = new Random(42);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeMilliseconds();
        var rows = new List<SeedSession>(options.Sessions);
        var viewer = 0;
        while (rows.Count < options.Sessions)
        {
            var key = viewer % 4 == 0 ? $"g:{viewer:x32}" : $"u:user-{viewer}";
            var at = start + random.Next(-10, 90) * 60_000L;
            for (var n = random.Next(1, 6); n > 0 && rows.Count < options.Sessions; n--)
            {
                var end = at + random.Next(1, 40) * 60_000L;
                rows.Add(new SeedSession(Guid.NewGuid().ToString(), webinarId, key[0] == 'u' ? key[2..] : null,
                    key[0] == 'g' ? key[2..] : null, key, $"s_{rows.Count}", at, end, (int)((end - at) / 1000), (end - at) / 1000.0));
                // Every fifth session overlaps the previous one (a second tab).
                at = random.Next(5) == 0 ? at + 60_000 : end + random.Next(0, 20) * 60_000L;
            }
            viewer++;
        }
        // Production rows arrive in entered_at order (a session row is written when the viewer enters).
        rows.Sort((a, b) => a.EnteredAt.CompareTo(b.EnteredAt));
        const string Sql =
            """
            INSERT INTO webinar_user_sessions (id, webinar_id, user_id, guest_id, viewer_key, session_id, entered_at,
                exited_at, duration_seconds, last_heartbeat_at, last_visible, watched_seconds_raw, visible_content_seconds,
                closed_reason, created_at, updated_at)
            VALUES (@Id, @WebinarId, @UserId, @GuestId, @ViewerKey, @SessionId, @EnteredAt, @ExitedAt, @Duration, @ExitedAt,
                1, @Raw, @Raw, 'exit', @EnteredAt, @ExitedAt)
            """;
        if (options.Provider == "postgres")
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(Sql, rows, tx);
            await tx.CommitAsync();
            // As autovacuum would have by the time a finished webinar's report is read: the visibility map lets the
            // statistics query run as an index-only scan.
            await connection.ExecuteAsync("VACUUM ANALYZE webinar_user_sessions");
        }
        else
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(Sql, rows, tx);
            await tx.CommitAsync();
            await connection.ExecuteAsync("ANALYZE webinar_user_sessions");
        }
    }

    /// <summary>User + system CPU of another process, from /proc/{pid}/stat (fields 14 and 15, in clock ticks).</summary>
    private static TimeSpan ServerCpu(int? pid)
    {
        if (pid is null) return TimeSpan.Zero;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
