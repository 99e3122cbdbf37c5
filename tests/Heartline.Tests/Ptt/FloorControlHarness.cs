using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Ptt;
using Heartline.Core.Storage;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Ptt;

/// <summary>Floor control over real in-process parts (hub, presence, SQLite store) on a manual clock.</summary>
internal sealed class FloorControlHarness : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly BackgroundWriter _writer;

    public FloorControlHarness(PttOptions? options = null)
    {
        Time = new ManualTimeProvider();
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "ptt.db");
        _database = new SqliteDatabase(Options.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }), Time,
            NullLogger<SqliteDatabase>.Instance);
        _database.MigrateAsync().GetAwaiter().GetResult();
        _writer = new BackgroundWriter(_database, Time, NullLogger<BackgroundWriter>.Instance);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Store = new PttStore(_database, _writer);
        Hub = new ChannelHub(Options.Create(new ChannelOptions()), Time, NullLogger<ChannelHub>.Instance);
        Presence = new PresenceTracker(new LocalPresenceBackend(Hub, Events), new HeartlineMetrics(new TestMeterFactory()),
            Options.Create(new PresenceOptions()), Time, NullLogger<PresenceTracker>.Instance);
        Options_ = options ?? new PttOptions();
        FloorControl? floors = null;
        Actions = new DisconnectActions(ConnectionStore, () => [new ReleaseFloorAction(floors!, Store, Time)], Time, NullLogger<DisconnectActions>.Instance);
        Floors = floors = new FloorControl(Hub, Presence, Actions, Store, Events, Options.Create(Options_),
            Options.Create(new PresenceOptions { NodeId = "n1" }), Time, NullLogger<FloorControl>.Instance);
    }

    public ManualTimeProvider Time { get; }
    public PttOptions Options_ { get; }
    public ChannelHub Hub { get; }
    public PresenceTracker Presence { get; }
    public InMemoryEventLog Events { get; } = new();
    public InMemoryConnectionStore ConnectionStore { get; } = new();
    public DisconnectActions Actions { get; }
    public PttStore Store { get; }
    public FloorControl Floors { get; }

    /// <summary>A connected member, subscribed to its office's PTT channel.</summary>
    public ClientConnection Member(string userId, string role = Roles.PickupDriver, string office = "o1")
    {
        var connection = TestConnections.Create(Time, TestConnections.User(userId, office, role),
            new RealtimeOptions { SendQueueCapacity = 10_000, SendQueueMaxBytes = 64 << 20, MediaDropThreshold = 5000 });
        Presence.Add(connection);
        Hub.Subscribe(connection, PttChannels.EventChannel(connection.User!.OfficeKey), null, (_, _) => "{}"u8.ToArray());
        connection.Drain();
        return connection;
    }

    /// <summary>The <c>data</c> of the PTT publications queued to a connection, in order.</summary>
    public static List<JsonElement> Events_(ClientConnection connection) =>
        [.. connection.Drain().Where(f => f.TryGetProperty("push", out var p) && p.GetString() == "pub").Select(f => f.GetProperty("data"))];

    public static List<string> Types(ClientConnection connection) => [.. Events_(connection).Select(e => e.GetProperty("type").GetString()!)];

    public async ValueTask DisposeAsync()
    {
        await _writer.StopAsync(CancellationToken.None);
        await _database.DisposeAsync();
    }
}
