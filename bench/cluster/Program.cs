using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Heartline.Bench.Cluster;
using Npgsql;

// Cluster benchmarks (docs/benchmarks.md, "Cluster"): three nodes as child processes over one PostgreSQL.
// Usage: ClusterBench --pg "Host=...;Username=...;Database=..." --server path/to/Heartline.Server.dll
//        [--only notify,press,throughput,audio,loss]
string Arg(string name, string? fallback = null) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"{name} is required");
var pg = Arg("--pg");
var serverDll = Path.GetFullPath(Arg("--server"));
var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
await using (var admin = new NpgsqlConnection(pg))
{
    await admin.OpenAsync();
    await new NpgsqlCommand($"CREATE SCHEMA {schema}", admin).ExecuteNonQueryAsync();
}
var connectionString = new NpgsqlConnectionStringBuilder(pg) { SearchPath = schema }.ConnectionString;
static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
Console.WriteLine($"# Heartline cluster benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, schema {schema}, load average {Load()}");

var a = await Node.StartAsync(serverDll, connectionString, "bench-a");
var others = await Task.WhenAll(Node.StartAsync(serverDll, connectionString, "bench-b"), Node.StartAsync(serverDll, connectionString, "bench-c"));
var (b, c) = (others[0], others[1]);
// Peer links and heartbeats settle within a couple of heartbeats.
await Task.Delay(TimeSpan.FromSeconds(5));
var only = args.SkipWhile(x => x != "--only").Skip(1).FirstOrDefault();
bool Run(string name) => only is null || only.Split(',').Contains(name);
try
{
    if (Run("notify")) await NotifyLatencyAsync();
    if (Run("press")) await PressToGrantAsync();
    if (Run("throughput")) await ThroughputAsync();
    if (Run("audio")) await AudioAsync();
    if (Run("loss")) await NodeLossAsync();
}
finally
{
    Console.WriteLine($"# load average at the end: {Load()}");
    foreach (var node in new[] { a, b, c }) await node.DisposeAsync();
    NpgsqlConnection.ClearAllPools();
    await using var admin = new NpgsqlConnection(pg);
    await admin.OpenAsync();
    await new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", admin).ExecuteNonQueryAsync();
}

static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

static string Stats(IReadOnlyCollection<double> values)
{
    if (values.Count == 0) return "no samples";
    var sorted = values.Order().ToArray();
    double P(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"p50 {P(0.50):F2} ms, p90 {P(0.90):F2} ms, p99 {P(0.99):F2} ms, max {sorted[^1]:F2} ms (n={sorted.Length})");
}

// 1. A publication on node A, timed from its send to its subscribers on A (same node) and on B and C (other nodes).
async Task NotifyLatencyAsync()
{
    const string channel = "office:r1_lat";
    await using var publisher = await BenchClient.ConnectAsync(a.Address, "pub", "call_manager", "lat");
    var latencies = new Dictionary<string, ConcurrentBag<double>>();
    var subscribers = new List<BenchClient>();
    foreach (var node in new[] { a, b, c })
    {
        var seen = latencies[node.Id] = [];
        var subscriber = await BenchClient.ConnectAsync(node.Address, "sub-" + node.Id, "pickup_driver", "lat");
        subscriber.OnPush = (push, now) =>
        {
            if (push.GetProperty("push").GetString() == "pub" && push.GetProperty("data").GetProperty("w").GetBoolean() == false)
                seen.Add(Ms(now - push.GetProperty("data").GetProperty("t").GetInt64()));
        };
        await subscriber.RequestAsync("subscribe", new { channel });
        subscribers.Add(subscriber);
    }
    const int count = 2000;
    // A connection's commands run one after another, and a publish waits for its commit: a closed loop paced at 200
    // per second measures the latency of a publication, not of a queue building up behind it.
    using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
    for (var i = 0; i < count + 200; i++)
    {
        await pace.WaitForNextTickAsync();
        // 200 warm-up publications first.
        await publisher.RequestAsync("publish", new { channel, data = new { t = Stopwatch.GetTimestamp(), w = i < 200 } });
    }
    var clock = Stopwatch.StartNew();
    while (latencies.Values.Any(l => l.Count < count) && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
    Console.WriteLine($"notify latency, publish on bench-a → subscriber on bench-a (same node): {Stats(latencies["bench-a"])}");
    Console.WriteLine($"notify latency, publish on bench-a → subscriber on bench-b (other node): {Stats(latencies["bench-b"])}");
    Console.WriteLine($"notify latency, publish on bench-a → subscriber on bench-c (other node): {Stats(latencies["bench-c"])}");
    foreach (var s in subscribers) await s.DisposeAsync();
}

// 2. press → grant (client round trip and the server's own press_to_grant_us) with 20 listeners on the other nodes,
// press → session_started on another node, and a refused press (floor_busy) from another node.
async Task PressToGrantAsync()
{
    const int rounds = 300;
    await using var speaker = await BenchClient.ConnectAsync(a.Address, "speaker", "call_manager", "ptt");
    await using var rival = await BenchClient.ConnectAsync(b.Address, "rival", "pickup_driver", "ptt");
    var listeners = new List<BenchClient>();
    var started = new ConcurrentDictionary<string, long>();
    for (var i = 0; i < 20; i++)
    {
        var listener = await BenchClient.ConnectAsync((i % 2 == 0 ? b : c).Address, $"drv{i}", "pickup_driver", "ptt");
        if (i == 1)
        {
            listener.OnPush = (push, now) =>
            {
                if (push.GetProperty("push").GetString() == "pub" && push.GetProperty("data").GetProperty("type").GetString() == "session_started")
                    started[push.GetProperty("data").GetProperty("session_id").GetString()!] = now;
            };
        }
        await listener.RequestAsync("subscribe", new { channel = "ptt:r1_ptt" });
        listeners.Add(listener);
    }
    var grant = new List<double>();
    var busy = new List<double>();
    var notify = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        var t0 = Stopwatch.GetTimestamp();
        var reply = await speaker.RequestAsync("ptt.press");
        grant.Add(Ms(Stopwatch.GetTimestamp() - t0));
        var result = reply.GetProperty("result");
        var t1 = Stopwatch.GetTimestamp();
        var refused = await rival.RequestAsync("ptt.press");
        busy.Add(Ms(Stopwatch.GetTimestamp() - t1));
        if (refused.GetProperty("error").GetProperty("code").GetString() != "floor_busy") throw new InvalidOperationException("expected floor_busy");
        var sessionId = result.GetProperty("session_id").GetString()!;
        var wait = Stopwatch.StartNew();
        while (!started.ContainsKey(sessionId) && wait.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(1);
        if (started.TryGetValue(sessionId, out var seenAt)) notify.Add(Ms(seenAt - t0));
        await speaker.RequestAsync("ptt.release", new { epoch = result.GetProperty("epoch").GetInt64() });
    }
    await using var db = new NpgsqlConnection(connectionString);
    await db.OpenAsync();
    var server = new List<double>();
    await using (var reader = await new NpgsqlCommand("SELECT press_to_grant_us FROM ptt_sessions WHERE office = 'r1_ptt' AND press_to_grant_us IS NOT NULL", db).ExecuteReaderAsync())
    {
        while (await reader.ReadAsync()) server.Add(reader.GetInt64(0) / 1000.0);
    }
    Console.WriteLine($"press → grant, client round trip on bench-a (PostgreSQL floor): {Stats(grant)}");
    Console.WriteLine($"press → grant, server press_to_grant_us (receipt → committed): {Stats(server)}");
    Console.WriteLine($"press → floor_busy from bench-b while bench-a holds: {Stats(busy)}");
    Console.WriteLine($"press on bench-a → session_started at a listener on bench-c: {Stats(notify)}");
    foreach (var l in listeners) await l.DisposeAsync();
}

// 3. Publications per second: 8 publishers on bench-a and bench-b (64 in flight each) over 16 channels for 10 s,
// every publication delivered to one subscriber on bench-c, which checks per-channel order.
async Task ThroughputAsync()
{
    const int channels = 16;
    var duration = TimeSpan.FromSeconds(10);
    await using var subscriber = await BenchClient.ConnectAsync(c.Address, "sink", "pickup_driver", "tp");
    long delivered = 0, gaps = 0, lastDelivery = 0;
    var last = new ConcurrentDictionary<string, long>();
    subscriber.OnPush = (push, now) =>
    {
        if (push.GetProperty("push").GetString() != "pub") return;
        var offset = push.GetProperty("offset").GetInt64();
        var name = push.GetProperty("channel").GetString()!;
        if (last.TryGetValue(name, out var previous) && offset != previous + 1) Interlocked.Increment(ref gaps);
        last[name] = offset;
        Interlocked.Increment(ref delivered);
        Volatile.Write(ref lastDelivery, now);
    };
    for (var i = 0; i < channels; i++) await subscriber.RequestAsync("subscribe", new { channel = $"office:r1_tp/{i}" });
    var publishers = new List<BenchClient>();
    for (var i = 0; i < 8; i++) publishers.Add(await BenchClient.ConnectAsync((i % 2 == 0 ? a : b).Address, $"p{i}", "call_manager", "tp"));
    long acked = 0;
    var start = Stopwatch.GetTimestamp();
    var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    await Task.WhenAll(publishers.Select((publisher, p) => Task.Run(async () =>
    {
        using var window = new SemaphoreSlim(64);
        var n = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            await window.WaitAsync();
            var (_, reply) = await publisher.SendAsync("publish", new { channel = $"office:r1_tp/{(n++ + p) % channels}", data = new { p, n } });
            _ = reply.ContinueWith(r =>
            {
                if (r.Result.TryGetProperty("result", out _)) Interlocked.Increment(ref acked);
                window.Release();
            }, TaskScheduler.Default);
        }
        for (var i = 0; i < 64; i++) await window.WaitAsync(TimeSpan.FromSeconds(30));
    })));
    var published = Stopwatch.GetTimestamp();
    var wait = Stopwatch.StartNew();
    while (Interlocked.Read(ref delivered) < Interlocked.Read(ref acked) && wait.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
    var seconds = (published - start) / (double)Stopwatch.Frequency;
    var deliverySeconds = (Volatile.Read(ref lastDelivery) - start) / (double)Stopwatch.Frequency;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"bus throughput: {acked} publications acknowledged in {seconds:F1} s = {acked / seconds:F0}/s (8 publishers on bench-a/b, 16 channels); " +
        $"{delivered} delivered to bench-c in {deliverySeconds:F1} s = {delivered / deliverySeconds:F0}/s; order gaps {gaps}"));
    foreach (var p in publishers) await p.DisposeAsync();
}

// 4. Audio: 500 frames at 50 per second from a speaker on bench-a, to a listener on bench-a and one on bench-b.
async Task AudioAsync()
{
    await using var speaker = await BenchClient.ConnectAsync(a.Address, "talker", "pickup_driver", "aud");
    await using var local = await BenchClient.ConnectAsync(a.Address, "near", "pickup_driver", "aud");
    await using var remote = await BenchClient.ConnectAsync(b.Address, "far", "pickup_driver", "aud");
    var sent = new ConcurrentDictionary<uint, long>();
    var nearAt = new ConcurrentDictionary<uint, long>();
    var farAt = new ConcurrentDictionary<uint, long>();
    local.OnBinary = (frame, now) => nearAt[BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(9))] = now;
    remote.OnBinary = (frame, now) => farAt[BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(9))] = now;
    var epoch = (await speaker.RequestAsync("ptt.press")).GetProperty("result").GetProperty("epoch").GetInt64();
    using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
    for (uint seq = 1; seq <= 500; seq++)
    {
        await pace.WaitForNextTickAsync();
        var frame = new byte[13 + 60];
        frame[0] = 0x01;
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1), epoch);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), seq);
        sent[seq] = Stopwatch.GetTimestamp();
        await speaker.SendRawAsync(frame, WebSocketMessageType.Binary);
    }
    await Task.Delay(500);
    await speaker.RequestAsync("ptt.release", new { epoch });
    var near = nearAt.Select(r => Ms(r.Value - sent[r.Key])).ToList();
    var far = farAt.Select(r => Ms(r.Value - sent[r.Key])).ToList();
    var added = farAt.Where(r => nearAt.ContainsKey(r.Key)).Select(r => Ms(r.Value - nearAt[r.Key])).ToList();
    Console.WriteLine($"audio relay, speaker on bench-a → listener on bench-a: {Stats(near)}; lost {500 - near.Count}");
    Console.WriteLine($"audio relay, speaker on bench-a → listener on bench-b (peer link): {Stats(far)}; lost {500 - far.Count}");
    Console.WriteLine($"audio relay, added by the peer link (bench-b minus bench-a, per frame): {Stats(added)}");
}

// 5. kill -9 of the node holding a floor, with the default liveness settings (heartbeat 2 s, timeout 6 s).
async Task NodeLossAsync()
{
    var noticed = new List<double>();
    for (var run = 1; run <= 3; run++)
    {
        await using var doomed = await Node.StartAsync(serverDll, connectionString, $"bench-d{run}");
        await using var speaker = await BenchClient.ConnectAsync(doomed.Address, "doomed", "pickup_driver", $"kill{run}");
        await using var listener = await BenchClient.ConnectAsync(a.Address, "survivor", "pickup_driver", $"kill{run}");
        var ended = new TaskCompletionSource<(string Reason, long At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.OnPush = (push, now) =>
        {
            if (push.GetProperty("push").GetString() == "pub" && push.GetProperty("data").GetProperty("type").GetString() == "session_ended")
                ended.TrySetResult((push.GetProperty("data").GetProperty("reason").GetString()!, now));
        };
        await listener.RequestAsync("subscribe", new { channel = $"ptt:r1_kill{run}" });
        await speaker.RequestAsync("ptt.press");
        await Task.Delay(500);
        var killed = Stopwatch.GetTimestamp();
        await doomed.KillAsync();
        var (reason, at) = await ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        noticed.Add(Ms(at - killed));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill -9 run {run}: session_ended ({reason}) at a survivor's listener after {Ms(at - killed):F0} ms"));
    }
    Console.WriteLine($"kill -9 → session_ended at a survivor (heartbeat 2 s, timeout 6 s): {Stats(noticed)}");
}
