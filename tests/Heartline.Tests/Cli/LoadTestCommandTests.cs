using System.Text.Json;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Cli;

/// <summary>
/// The smoke version of the benchmarks that CI runs: tiny load tests against the real in-process server, checking the
/// JSON's counts and invariants only — never its timings.
/// </summary>
public sealed class LoadTestCommandTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "10000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Server => _server.BaseAddress.ToString().TrimEnd('/');

    private async Task<(int Exit, JsonElement Json, string Err)> RunAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync([.. args, "--server", Server, "--json", "--no-progress", "--timeout", "10"]);
        Assert.True(stdout.Length > 0, $"exit {exit}, no JSON; stderr: {stderr}");
        return (exit, JsonDocument.Parse(stdout).RootElement.Clone(), stderr);
    }

    [Fact]
    public async Task Fanout_OneOfficeFiveListenersTwoRounds_EveryListenerNotifiedEachRound()
    {
        var (exit, json, stderr) = await RunAsync("loadtest", "fanout", "--offices", "1", "--listeners", "5", "--rounds", "2", "--interval-ms", "0");

        Assert.True(exit == 0, stderr + json);
        Assert.Equal("fanout", json.GetProperty("scenario").GetString());
        Assert.Equal(6, json.GetProperty("connections").GetInt32());
        Assert.Equal(10, json.GetProperty("expected").GetInt64());
        Assert.Equal(10, json.GetProperty("delivered").GetInt64());
        Assert.Equal(10, json.GetProperty("notify_ms").GetProperty("count").GetInt64());
        Assert.Equal(2, json.GetProperty("grant_ms").GetProperty("count").GetInt64());
        Assert.Empty(json.GetProperty("errors").EnumerateObject());
        Assert.All(json.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("passed").GetBoolean(), c.ToString()));
    }

    [Fact]
    public async Task Storm_TwoOfficesFiveMembersThreeRounds_ExactlyOneGrantPerOfficePerRound()
    {
        var (exit, json, stderr) = await RunAsync("loadtest", "storm", "--offices", "2", "--listeners", "5", "--rounds", "3", "--interval-ms", "0");

        Assert.True(exit == 0, stderr + json);
        Assert.Equal([2, 2, 2], json.GetProperty("grants_per_round").EnumerateArray().Select(g => g.GetInt32()));
        Assert.Equal(6, json.GetProperty("grant_ms").GetProperty("count").GetInt64());
        Assert.Equal(24, json.GetProperty("busy_ms").GetProperty("count").GetInt64());
        Assert.Empty(json.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task Relay_ThreeListenersHalfASecond_CountsFramesSentAndDelivered()
    {
        var (_, json, _) = await RunAsync("loadtest", "relay", "--listeners", "3", "--duration", "0.5", "--rate", "50");

        // Counts only: a loaded CI machine may legitimately drop stale audio, so delivery is bounded, not exact.
        Assert.Equal(25, json.GetProperty("frames_sent").GetInt64());
        Assert.Equal(75, json.GetProperty("expected").GetInt64());
        var delivered = json.GetProperty("frames_delivered").GetInt64();
        Assert.InRange(delivered, 1, 75);
        Assert.Equal(delivered, json.GetProperty("frame_ms").GetProperty("count").GetInt64());
        Assert.DoesNotContain(json.GetProperty("errors").EnumerateObject(), e => e.Name.StartsWith("press", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Idle_FourConnections_ReportsHeartbeatsAndThisProcessAsTheServer()
    {
        var (exit, json, stderr) = await RunAsync("loadtest", "idle", "--listeners", "4", "--duration", "1", "--heartbeat", "0.25");

        Assert.True(exit == 0, stderr + json);
        Assert.Equal(4, json.GetProperty("connections").GetInt32());
        var sent = json.GetProperty("heartbeats_sent").GetInt64();
        Assert.True(sent > 0);
        Assert.Equal(sent, json.GetProperty("heartbeat_ms").GetProperty("count").GetInt64());
        // The in-process server listens in this process: the probe finds it by its port.
        Assert.Equal(Environment.ProcessId, json.GetProperty("server_usage").GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task PresetSeed_HundredListenersTenRounds_AllConnectAndAreNotified()
    {
        var (_, json, _) = await RunAsync("loadtest", "--preset", "seed");

        Assert.Equal("seed", json.GetProperty("preset").GetString());
        Assert.Equal(101, json.GetProperty("connections").GetInt32());
        Assert.Equal(1000, json.GetProperty("delivered").GetInt64());
        Assert.Contains(json.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString()!.StartsWith("seed 001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Table_WithoutJson_PrintsLatencyPercentiles()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("loadtest", "--listeners", "2", "--rounds", "1", "--server", Server, "--no-progress");

        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("press → listener notified", stdout);
        Assert.Contains("p99", stdout);
    }

    [Theory]
    [InlineData("loadtest", "bogus")]
    [InlineData("loadtest", "--listeners", "0")]
    [InlineData("loadtest", "relay", "--payload", "4")]
    [InlineData("loadtest", "--preset", "huge")]
    public async Task BadArguments_ExitTwo(params string[] args)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains("--help", stderr);
    }
}
