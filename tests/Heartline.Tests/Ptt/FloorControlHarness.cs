using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Leases;
using Heartline.Core.Modules;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Core.Storage;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Ptt;

/// <summary>
/// Floor control over real in-process parts (broker, hub, presence, leases, SQLite store) on a manual clock. On one node
/// every floor decision completes before it returns, so the harness offers them synchronously.
/// </summary>
internal sealed class FloorControlHarness : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly BackgroundWriter _writer;

    public FloorControlHarness(PttOptions? options = null)
    {
        Time = new FakeTimeProvider(TestClock.Start);
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "ptt.db");
        _database = new SqliteDatabase(Options.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }), Time,
            NullLogger<SqliteDatabase>.Instance);
        _database.MigrateAsync().GetAwaiter().GetResult();
        _writer = new BackgroundWriter(_database, Time, NullLogger<BackgroundWriter>.Instance);
        _writer.StartingAsync(CancellationToken.None).GetAwaiter().GetResult();
        Store = new PttStore(_database, _writer);
        var channelOptions = Options.Create(new ChannelOptions());
        var broker = new MemoryBroker(channelOptions, Time, NullLogger<MemoryBroker>.Instance);
        Hub = new ChannelHub(channelOptions, Time, NullLogger<ChannelHub>.Instance, broker);
        Presence = new PresenceTracker(new LocalPresenceBackend(Hub, Events), new HeartlineMetrics(new TestMeterFactory()),
            Options.Create(new PresenceOptions()), Time, NullLogger<PresenceTracker>.Instance);
        Options_ = options ?? new PttOptions();
        var presenceOptions = Options.Create(new PresenceOptions { NodeId = "n1" });
        FloorControl? floors = null;
        Actions = new DisconnectActions(ConnectionStore, () => [new ReleaseFloorAction(floors!)], Time, NullLogger<DisconnectActions>.Instance);
        Floors = floors = new FloorControl(new MemoryLeases(broker, _writer, presenceOptions, Time), Presence, Hub, Actions, new NoPeers(),
            Store, Events, Options.Create(Options_), new HeartlineNode("n1", isCluster: false), Time, NullLogger<FloorControl>.Instance);
    }

    public FakeTimeProvider Time { get; }
    public PttOptions Options_ { get; }
    public ChannelHub Hub { get; }
    public PresenceTracker Presence { get; }
    public InMemoryEventLog Events { get; } = new();
    public InMemoryConnectionStore ConnectionStore { get; } = new();
    public DisconnectActions Actions { get; }
    public PttStore Store { get; }
    public FloorControl Floors { get; }

    /// <summary>
    /// A connected member, subscribed to its office's PTT channel; <paramref name="announce"/> tells floor control it
    /// connected, as the server does (false: the test does it itself).
    /// </summary>
    public ClientConnection Member(string userId, string role = Roles.PickupDriver, string office = "o1", bool announce = true)
    {
        var connection = TestConnections.Create(Time, TestConnections.User(userId, office, role),
            new RealtimeOptions { SendQueueCapacity = 10_000, SendQueueMaxBytes = 64 << 20, MediaDropThreshold = 5000 });
        Presence.Add(connection);
        Hub.Subscribe(connection, PttChannels.EventChannel(connection.Principal!.OfficeKey()!), null, (_, _) => "{}"u8.ToArray());
        if (announce) Completed(Floors.MemberConnectedAsync(connection));
        connection.Drain();
        return connection;
    }

    /// <summary>A press, as the press command makes it.</summary>
    public PressView Press(ClientConnection connection)
    {
        var press = Completed(Floors.PressAsync(connection, Time.GetTimestamp()));
        var office = connection.Principal!.OfficeKey()!;
        return new PressView(press.Granted is { } g ? Grant(office, g.SessionId) : null, press.Busy, press.Preempted);
    }

    public bool Release(ClientConnection connection, long epoch) => Completed(Floors.ReleaseAsync(connection, epoch));

    public bool EndIfCurrent(string office, long epoch, string reason) => Completed(Floors.EndIfCurrentAsync(office, epoch, reason));

    public PttState? MemberConnected(ClientConnection connection) => Completed(Floors.MemberConnectedAsync(connection));

    /// <summary>The stale cleaner, after the lease renewal that a server runs every third of a lease meanwhile.</summary>
    public int SweepStale()
    {
        Floors.RenewLeasesAsync().WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return Floors.SweepStaleAsync().WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    /// <summary>The grant held in the office, with its listeners, or null.</summary>
    public TestGrant? Current(string office) => Floors.Held(office) is { } held ? Grant(office, held.SessionId) : null;

    private TestGrant? Grant(string office, string sessionId)
    {
        var floor = Floors.Floor(office);
        var held = floor.Held;
        if (held is null || held.SessionId != sessionId) return null;
        lock (floor.Lock)
        {
            var participants = floor.ParticipantsSession == sessionId
                ? new Dictionary<string, Participant>(floor.Participants, StringComparer.Ordinal)
                : [];
            return new TestGrant(held, participants, floor.Listeners);
        }
    }

    private static T Completed<T>(ValueTask<T> task)
    {
        if (!task.IsCompleted) throw new InvalidOperationException("On one node a floor decision completes at once.");
        return task.GetAwaiter().GetResult();
    }

    /// <summary>The <c>data</c> of the PTT publications queued to a connection, in order.</summary>
    public static List<JsonElement> Events_(ClientConnection connection) =>
        [.. connection.Drain().Where(f => f.TryGetProperty("push", out var p) && p.GetString() == "pub").Select(f => f.GetProperty("data"))];

    public static List<string> Types(ClientConnection connection) => [.. Events_(connection).Select(e => e.GetProperty("type").GetString()!)];

    public async ValueTask DisposeAsync()
    {
        await _writer.StoppedAsync(CancellationToken.None);
        await _database.DisposeAsync();
    }
}

/// <summary>What a press did: the grant (with its listeners at that moment), or who holds the floor.</summary>
internal sealed record PressView(TestGrant? Granted, FloorHolder? Busy, bool Preempted);

/// <summary>A grant held on the node, with the office's listeners of it.</summary>
internal sealed record TestGrant(HeldGrant Held, IReadOnlyDictionary<string, Participant> Participants, ClientConnection[] Listeners)
{
    public string SessionId => Held.SessionId;
    public long Epoch => Held.Epoch;
    public ClientConnection Speaker => Held.Speaker;
    public PttUser SpeakerUser => Held.SpeakerUser;
    public Task<string?> DisconnectAction => Held.DisconnectAction;
}
