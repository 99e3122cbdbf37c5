namespace Heartline.Cli.Commands;

/// <summary>The scenarios of <c>heartline loadtest</c>.</summary>
internal static class LoadTestScenarios
{
    /// <summary>(a) A press; every listener of the office receives <c>session_started</c>.</summary>
    public const string Fanout = "fanout";
    /// <summary>(b) The speaker streams 20 ms audio frames; every listener receives them.</summary>
    public const string Relay = "relay";
    /// <summary>(c) Connections that only send heartbeats: the server's memory and CPU per connection.</summary>
    public const string Idle = "idle";
    /// <summary>(d) Every member presses at once: exactly one grant per round.</summary>
    public const string Storm = "storm";

    public static readonly string[] All = [Fanout, Relay, Idle, Storm];
}

/// <summary>One load test run, as the command line described it.</summary>
internal sealed record LoadTestSettings
{
    public required string Scenario { get; init; }
    public required Uri Server { get; init; }
    public string? SigningKey { get; init; }
    public string Region { get; init; } = "load";
    public int Offices { get; init; } = 1;
    public int Listeners { get; init; } = 100;
    public int Rounds { get; init; } = 10;
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public int FramesPerSecond { get; init; } = 50;
    public int PayloadBytes { get; init; } = 80;
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(25);
    public int ConnectConcurrency { get; init; } = 64;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
    public int? ServerPid { get; init; }
    public string? Preset { get; init; }

    /// <summary>Seed 001's load test: 100 concurrent users of one office, all notified, average under 100 ms.</summary>
    public const string SeedPreset = "seed";

    public Uri WebSocketUri => ServerOption.WebSocketUri(Server);

    public string OfficeId(int office) => "o" + (office + 1);

    public string OfficeKey(int office) => Region + "_" + OfficeId(office);
}
