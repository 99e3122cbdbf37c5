using Microsoft.Extensions.Time.Testing;
using Heartline.Core.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Core;

public sealed class DisconnectActionsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryConnectionStore _store = new();
    private readonly RecordingHandler _handler = new();
    private readonly DisconnectActions _actions;

    public DisconnectActionsTests() =>
        _actions = new DisconnectActions(_store, () => [_handler, new FailingHandler()], _time, NullLogger<DisconnectActions>.Instance);

    private static ConnectionRecord Record(string id, string node = "n1") =>
        new(id, node, "u1", "U1", "pickup_driver", "user", null, """{"region":"r1","office":"o1"}""", "pickup_driver", null, 0) { Scopes = ["r1_o1"] };

    [Fact]
    public async Task Run_RegisteredActions_RunOnceInOrderAndArePersistedUntilThen()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        await _actions.RegisterAsync(c, RecordingHandler.KindName, "first");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _actions.RegisterAsync(c, RecordingHandler.KindName, "second");
        Assert.Equal(2, _store.Actions.Count);

        var ran = await _actions.RunAsync(Record(c.Id), DisconnectReasons.ClientClosed, loadFromStore: true);
        var again = await _actions.RunAsync(Record(c.Id), DisconnectReasons.ClientClosed, loadFromStore: true);

        Assert.Equal(2, ran);
        Assert.Equal(0, again);
        Assert.Equal(["first:client_closed", "second:client_closed"], _handler.Runs);
        Assert.Empty(_store.Actions);
    }

    [Fact]
    public async Task Run_ConcurrentCallers_RunEachActionExactlyOnce()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        await _actions.RegisterAsync(c, RecordingHandler.KindName, "only");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _actions.RunAsync(Record(c.Id), "x", loadFromStore: false))))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(_handler.Runs);
    }

    [Fact]
    public async Task Cancel_RemovesTheActionSoItNeverRuns()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        var id = await _actions.RegisterAsync(c, RecordingHandler.KindName, "cancelled");

        await _actions.CancelAsync(c.Id, id);
        await _actions.RunAsync(Record(c.Id), "x", loadFromStore: true);

        Assert.Empty(_handler.Runs);
        Assert.Empty(_store.Actions);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartupCleanup_AfterCrash_RunsPersistedActionsWithServerRestartAndEndsConnections(bool cluster)
    {
        // A "previous process" registered an action, then crashed: only the store remembers it.
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        await _store.AddAsync(Record(c.Id));
        await _store.AddAsync(Record("c_other_node", node: "n2"));
        await _actions.RegisterAsync(c, RecordingHandler.KindName, "left-open");
        var afterRestart = new DisconnectActions(_store, () => [_handler], _time, NullLogger<DisconnectActions>.Instance);
        var cleanup = new StartupCleanup(_store, afterRestart, [],
            Options.Create(new PresenceOptions { NodeId = "n1", SharedDatabase = cluster }), _time, NullLogger<StartupCleanup>.Instance);

        var cleaned = await cleanup.CleanAsync(CancellationToken.None);

        Assert.Equal(["left-open:server_restart"], _handler.Runs);
        Assert.Equal("server_restart", _store.Connections[c.Id].Reason);
        // In a cluster another node's connections are its own (or its survivors') business; a single node's database
        // holds only its own earlier processes' rows, whatever node id (machine name) they had then.
        Assert.Equal(cluster ? 1 : 2, cleaned);
        Assert.Equal(cluster ? null : "server_restart", _store.Connections["c_other_node"].Reason);
        Assert.Equal(0, await cleanup.CleanAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Run_FailingAction_IsLoggedRemovedAndDoesNotStopTheOthers()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        await _actions.RegisterAsync(c, FailingHandler.KindName, "boom");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _actions.RegisterAsync(c, RecordingHandler.KindName, "after");

        await _actions.RunAsync(Record(c.Id), "x", loadFromStore: false);

        Assert.Equal(["after:x"], _handler.Runs);
        Assert.Empty(_store.Actions);
    }

    [Fact]
    public async Task Register_UnknownKind_Throws()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        await Assert.ThrowsAsync<ArgumentException>(() => _actions.RegisterAsync(c, "nobody.serves.this", "{}"));
    }

    [Fact]
    public async Task OrphanCleanup_EndsOldRowsWhoseSocketIsGone_RunningTheirActions_AndLeavesLiveAndYoungOnes()
    {
        var live = TestConnections.Create(_time, TestConnections.User("u1"));
        var orphan = TestConnections.Create(_time, TestConnections.User("u2"));
        var registry = new Heartline.Core.Connections.ConnectionRegistry();
        registry.Add(live);
        await _store.AddAsync(Record(live.Id));
        // A teardown that could not write: the socket is gone (not registered), the row and its action remain.
        await _store.AddAsync(Record(orphan.Id));
        await _actions.RegisterAsync(orphan, RecordingHandler.KindName, "left-behind");
        var cleanup = new OrphanedConnectionCleanup(_store, registry, _actions,
            Options.Create(new PresenceOptions { NodeId = "n1" }), _time, NullLogger<OrphanedConnectionCleanup>.Instance);
        await _store.AddAsync(Record("c_just_connected") with { ConnectedAt = _time.GetUtcNow().ToUnixTimeMilliseconds() });

        var ended = await cleanup.RunIfDueAsync();

        Assert.Equal(1, ended);
        Assert.Equal(["left-behind:connection_lost"], _handler.Runs);
        Assert.Equal(DisconnectReasons.ConnectionLost, _store.Connections[orphan.Id].Reason);
        Assert.Null(_store.Connections[live.Id].Reason);
        Assert.Null(_store.Connections["c_just_connected"].Reason);
        // Not due again before a minute has passed.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await cleanup.RunIfDueAsync());

        // The registered connections account for every old open row: nothing to end (one count, no listing). A new
        // orphan makes the rows outnumber them, and it is found.
        live.Record = _store.Connections[live.Id].Record;
        await _store.EndAsync("c_just_connected", _time.GetUtcNow().ToUnixTimeMilliseconds(), DisconnectReasons.ClientClosed);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, await cleanup.RunIfDueAsync());
        var second = TestConnections.Create(_time, TestConnections.User("u3"));
        await _store.AddAsync(Record(second.Id));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await cleanup.RunIfDueAsync());
        Assert.Equal(DisconnectReasons.ConnectionLost, _store.Connections[second.Id].Reason);
    }

    private sealed class RecordingHandler : IDisconnectActionHandler
    {
        public const string KindName = "test.record";
        public List<string> Runs { get; } = [];
        public string Kind => KindName;

        public Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken)
        {
            lock (Runs) Runs.Add(context.Payload + ":" + context.Reason);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingHandler : IDisconnectActionHandler
    {
        public const string KindName = "test.fail";
        public string Kind => KindName;
        public Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }
}
