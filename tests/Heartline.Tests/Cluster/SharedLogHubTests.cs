using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using System.Text;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Cluster;

/// <summary>The hub over a shared log, against an in-memory log whose reads the test can hold back.</summary>
public sealed class SharedLogHubTests
{
    private const string Channel = "office:r1_o1";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLog _log = new();
    private readonly ChannelHub _hub;

    public SharedLogHubTests() =>
        _hub = new ChannelHub(Options.Create(new ChannelOptions { HistorySize = 100 }), _time, NullLogger<ChannelHub>.Instance, _log);

    private async Task<(SubscribeOutcome Outcome, long[] Missed)> SubscribeAsync(ClientConnection connection, StreamPosition? since = null)
    {
        long[] missed = [];
        var outcome = await _hub.SubscribeAsync(connection, Channel, since, (_, m) =>
        {
            missed = [.. m.Select(e => e.Offset)];
            return "{}"u8.ToArray();
        });
        connection.Drain();
        return (outcome, missed);
    }

    private static long[] Offsets(ClientConnection connection) =>
        [.. connection.Drain().Where(f => f.TryGetProperty("push", out _)).Select(f => f.GetProperty("offset").GetInt64())];

    [Fact]
    public async Task Subscribe_WhileTheLogIsRead_RepliesWithTheLogThenThisNodesDeliveries_WithoutGapOrDuplicate()
    {
        for (var i = 0; i < 3; i++) _log.Append(Channel);
        var live = TestConnections.Create(_time);
        await SubscribeAsync(live);
        for (var i = 0; i < 2; i++) _hub.DeliverCommitted(Channel, _log.Append(Channel));
        Assert.Equal([4L, 5], Offsets(live));
        var head = _hub.Position(Channel)!.Value;

        // A client that saw offset 1 on another node: offsets 2–3 are only in the log, 4–5 in this node's history.
        var late = TestConnections.Create(_time);
        _log.HoldReads();
        var subscribing = SubscribeAsync(late, new StreamPosition(1, head.Epoch));
        // Meanwhile this node delivers 6 and 7.
        for (var i = 0; i < 2; i++) _hub.DeliverCommitted(Channel, _log.Append(Channel));
        _log.ReleaseReads();
        var (outcome, missed) = await subscribing;
        _hub.DeliverCommitted(Channel, _log.Append(Channel));

        Assert.True(outcome.Recovered);
        Assert.Equal([2L, 3, 4, 5, 6, 7], missed);
        Assert.Equal(7, outcome.Offset);
        Assert.Equal([8L], Offsets(late));
        Assert.Equal([6L, 7, 8], Offsets(live));
    }

    [Fact]
    public async Task Subscribe_WhenTheLogLostPartOfWhatWasMissed_IsNotRecovered()
    {
        for (var i = 0; i < 5; i++) _log.Append(Channel);
        _log.Trim(Channel, upTo: 2);
        var client = TestConnections.Create(_time);

        var (outcome, missed) = await SubscribeAsync(client, new StreamPosition(1, FakeLog.Epoch));

        Assert.False(outcome.Recovered);
        Assert.Empty(missed);
        Assert.Equal(5, outcome.Offset);
    }

    [Fact]
    public async Task Subscribe_WithAnOffsetThisNodeHasNotDeliveredYet_CatchesUpFirst()
    {
        var client = TestConnections.Create(_time);
        await SubscribeAsync(TestConnections.Create(_time));
        // Published on another node; the wake-up has not come here yet.
        for (var i = 0; i < 3; i++) _log.Append(Channel);

        var (outcome, missed) = await SubscribeAsync(client, new StreamPosition(3, FakeLog.Epoch));

        Assert.True(outcome.Recovered);
        Assert.Empty(missed);
        Assert.Equal(3, outcome.Offset);
    }

    [Fact]
    public async Task Deliver_AfterAGapInTheLog_ClosesTheSubscribersToRecover()
    {
        var client = TestConnections.Create(_time);
        await SubscribeAsync(client);
        for (var i = 0; i < 4; i++) _log.Append(Channel);
        _log.Trim(Channel, upTo: 2);
        _hub.Wake(Channel, 4);
        var state = Assert.Single(_log.Requested);

        _hub.Deliver(state, await _log.ReadAsync(Channel, 0, long.MaxValue, default));

        Assert.True(client.IsClosing);
        Assert.Equal(Heartline.Core.Protocol.CloseCodes.InternalError, client.CloseCode);
        Assert.Equal(4, _hub.Position(Channel)!.Value.Offset);
    }

    [Fact]
    public async Task Wake_BeforeTheChannelIsFollowed_DeliversOnceItIs()
    {
        var client = TestConnections.Create(_time);
        _log.HoldHeads();
        var subscribing = SubscribeAsync(client);
        _log.Append(Channel);
        _hub.Wake(Channel, 1);
        Assert.Empty(_log.Requested);

        _log.ReleaseHeads();
        await subscribing;

        Assert.Single(_log.Requested);
    }

    /// <summary>An in-memory shared log: one epoch, offsets from 1, reads and head reads the test can hold.</summary>
    private sealed class FakeLog : IBroker
    {
        public const string Epoch = "e1";
        private readonly ConcurrentDictionary<string, List<LoggedPublication>> _channels = new();
        private TaskCompletionSource _reads = Completed();
        private TaskCompletionSource _heads = Completed();

        public ConcurrentQueue<ChannelState> Requested { get; } = new();

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.SetResult();
            return done;
        }

        public void HoldReads() => _reads = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void ReleaseReads() => _reads.SetResult();
        public void HoldHeads() => _heads = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void ReleaseHeads() => _heads.SetResult();

        public LoggedPublication Append(string channel)
        {
            var list = _channels.GetOrAdd(channel, _ => []);
            lock (list)
            {
                var offset = list.Count == 0 ? 1 : list[^1].Offset + 1;
                var publication = new LoggedPublication(offset, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes($"{{\"n\":{offset}}}"));
                list.Add(publication);
                return publication;
            }
        }

        public void Trim(string channel, long upTo)
        {
            var list = _channels[channel];
            lock (list) list.RemoveAll(p => p.Offset <= upTo);
        }

        public void Attach(ChannelHub hub) { }

        public void Enqueue(string channel, byte[] data) => throw new NotSupportedException();

        public ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async ValueTask<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken)
        {
            await _heads.Task;
            var list = _channels.GetOrAdd(channel, _ => []);
            lock (list) return new StreamPosition(list.Count == 0 ? 0 : list[^1].Offset, Epoch);
        }

        public async ValueTask<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken)
        {
            await _reads.Task;
            var list = _channels.GetOrAdd(channel, _ => []);
            lock (list) return [.. list.Where(p => p.Offset > after && p.Offset <= upTo)];
        }

        public void RequestDelivery(ChannelState state) => Requested.Enqueue(state);

        public Task<int> TrimAsync(CancellationToken cancellationToken) => Task.FromResult(0);

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
