using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline loadtest [fanout|relay|idle|storm]</c>: drives a running server with N offices × M listeners and
/// reports latency percentiles, throughput, errors and the server's CPU and memory (docs/benchmarks.md). Exit code 0
/// when every check passed and nothing failed, 1 otherwise.
/// </summary>
internal static class LoadTestCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("scenario")
        {
            Description = "fanout (press → every listener notified), relay (audio frames), idle (connections with heartbeats) or storm (concurrent presses).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => LoadTestScenarios.Fanout,
        };
        scenario.AcceptOnlyFromAmong(LoadTestScenarios.All);
        var server = ServerOption.Create();
        var preset = new Option<string?>("--preset") { Description = "seed: seed 001's load test (fanout, 1 office × 100 users, 10 rounds, average under 100 ms)." };
        preset.AcceptOnlyFromAmong(LoadTestSettings.SeedPreset);
        var signingKey = new Option<string?>("--signing-key") { Description = "Mint tokens locally with the server's HS256 key (Auth:SigningKey) instead of one dev-token request per user." };
        var region = new Option<string>("--region") { Description = "Region id of the simulated offices.", DefaultValueFactory = _ => "load" };
        var offices = new Option<int>("--offices") { Description = "Number of offices (N).", DefaultValueFactory = _ => 1 };
        var listeners = new Option<int>("--listeners") { Description = "Members per office (M); fanout and relay add one speaker per office.", DefaultValueFactory = _ => 100 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of fanout and storm.", DefaultValueFactory = _ => 10 };
        var interval = new Option<int>("--interval-ms") { Description = "Pause between rounds, in milliseconds.", DefaultValueFactory = _ => 250 };
        var duration = new Option<double>("--duration") { Description = "Seconds of streaming (relay) or holding (idle).", DefaultValueFactory = _ => 10 };
        var rate = new Option<int>("--rate") { Description = "Audio frames per second per speaker (relay); 50 = 20 ms frames.", DefaultValueFactory = _ => 50 };
        var payload = new Option<int>("--payload") { Description = "Opus bytes per audio frame, 8 to 1275 (relay).", DefaultValueFactory = _ => 80 };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Seconds between a connection's heartbeats (idle).", DefaultValueFactory = _ => 25 };
        var concurrency = new Option<int>("--connect-concurrency") { Description = "Connections opened at once.", DefaultValueFactory = _ => 64 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds any single wait may take (a connect, a round, a reply).", DefaultValueFactory = _ => 15 };
        var serverPid = new Option<int?>("--server-pid") { Description = "The server's process id for CPU and memory; default: the local process listening on the server's port." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of tables." };
        var noProgress = new Option<bool>("--no-progress") { Description = "No live progress display on stderr." };

        var command = new Command("loadtest", "Load-test a running server / 서버 부하 테스트")
        {
            scenario, server, preset, signingKey, region, offices, listeners, rounds, interval, duration, rate, payload, heartbeat,
            concurrency, timeout, serverPid, json, noProgress,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var invalid = Validate(parseResult, offices, listeners, rounds, interval, duration, rate, payload, heartbeat, concurrency, timeout);
            if (invalid.Count > 0)
            {
                foreach (var message in invalid) await parseResult.InvocationConfiguration.Error.WriteLineAsync(message);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(Texts.SeeHelp);
                return ExitCodes.Usage;
            }
            var seed = parseResult.GetValue(preset) == LoadTestSettings.SeedPreset;
            var settings = new LoadTestSettings
            {
                Scenario = seed ? LoadTestScenarios.Fanout : parseResult.GetValue(scenario)!,
                Preset = parseResult.GetValue(preset),
                Server = ServerOption.Get(parseResult, server),
                SigningKey = parseResult.GetValue(signingKey),
                Region = parseResult.GetValue(region)!,
                Offices = seed ? 1 : parseResult.GetValue(offices),
                Listeners = seed ? 100 : parseResult.GetValue(listeners),
                Rounds = seed ? 10 : parseResult.GetValue(rounds),
                Interval = TimeSpan.FromMilliseconds(parseResult.GetValue(interval)),
                Duration = TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                FramesPerSecond = parseResult.GetValue(rate),
                PayloadBytes = parseResult.GetValue(payload),
                Heartbeat = TimeSpan.FromSeconds(parseResult.GetValue(heartbeat)),
                ConnectConcurrency = parseResult.GetValue(concurrency),
                Timeout = TimeSpan.FromSeconds(parseResult.GetValue(timeout)),
                ServerPid = parseResult.GetValue(serverPid),
            };
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var progressConsole = parseResult.GetValue(noProgress) ? null
                : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
            var result = await RunAsync(settings, progressConsole, cancellationToken);
            if (parseResult.GetValue(json))
                await output.WriteLineAsync(JsonSerializer.Serialize(result, LoadTestJsonContext.Default.LoadTestResult));
            else
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                // Redirected output has no width of its own; 80 columns would wrap the latency table.
                if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 120;
                LoadTestReport.Write(console, result);
            }
            if (result.Errors.Keys.Any(k => k.StartsWith("connect:http_429", StringComparison.Ordinal)))
                await error.WriteLineAsync(Texts.LoadTestRateLimited);
            return result.Passed ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>Range checks (in the action: option defaults are not visible to command validators).</summary>
    private static List<string> Validate(ParseResult result, Option<int> offices, Option<int> listeners, Option<int> rounds, Option<int> interval,
        Option<double> duration, Option<int> rate, Option<int> payload, Option<double> heartbeat, Option<int> concurrency, Option<double> timeout)
    {
        var errors = new List<string>();
            if (result.GetValue(offices) is < 1 or > 10_000) errors.Add("--offices: 1 to 10000");
            if (result.GetValue(listeners) is < 1 or > 100_000) errors.Add("--listeners: 1 to 100000");
            if (result.GetValue(rounds) is < 1 or > 100_000) errors.Add("--rounds: 1 to 100000");
            if (result.GetValue(interval) is < 0 or > 60_000) errors.Add("--interval-ms: 0 to 60000");
            if (result.GetValue(duration) is <= 0 or > 3600) errors.Add("--duration: above 0, at most 3600 seconds");
            if (result.GetValue(rate) is < 1 or > 1000) errors.Add("--rate: 1 to 1000 frames per second");
            if (result.GetValue(payload) is < 8 or > 1275) errors.Add("--payload: 8 to 1275 bytes");
            if (result.GetValue(heartbeat) is <= 0 or > 3600) errors.Add("--heartbeat: above 0, at most 3600 seconds");
            if (result.GetValue(concurrency) is < 1 or > 10_000) errors.Add("--connect-concurrency: 1 to 10000");
        return errors;
    }

    public static async Task<LoadTestResult> RunAsync(LoadTestSettings settings, IAnsiConsole? progressConsole, CancellationToken cancellationToken)
    {
        var progress = new LoadTestProgress();
        var probe = LoadTestServerProbe.Create(settings.ServerPid, settings.Server);
#pragma warning disable CA2000 // Disposed by the await using inside the callback; its result is read after the close.
        var run = new LoadTestRun(settings, progress, probe);
#pragma warning restore CA2000
        return await progress.RunAsync(progressConsole, async () =>
        {
            await using (run)
            {
                try
                {
                    await (settings.Scenario switch
                    {
                        LoadTestScenarios.Relay => LoadTestRelay.RunAsync(run, cancellationToken),
                        LoadTestScenarios.Idle => LoadTestIdle.RunAsync(run, cancellationToken),
                        LoadTestScenarios.Storm => LoadTestStorm.RunAsync(run, cancellationToken),
                        _ => LoadTestFanout.RunAsync(run, cancellationToken),
                    }).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    run.Fleet.Error("cancelled");
                }
            }
            return run.Result;
        }).ConfigureAwait(false);
    }
}
