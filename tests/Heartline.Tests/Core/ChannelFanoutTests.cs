using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Core;

/// <summary>
/// A fan-out sends to the subscribers without the channel's lock: a socket that takes long to accept a frame holds up
/// nobody but the thread sending, and every subscriber still gets the channel's frames in offset order.
/// </summary>
public sealed class ChannelFanoutTests
{
    private const string Channel = "office:r1_o1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task FanoutWaitingOnASocket_LeavesTheChannelFree_AndKeepsEveryonesOrder()
    {
        await using var slow = new SocketConnection(_time);
        var (hub, fast) = Subscribed(slow);

        slow.Stream.Hold();
        var first = Task.Run(() => Publish(hub, 1));
        await slow.Stream.Blocked.WaitAsync(Timeout);

        // While the first fan-out waits on the slow socket (holding that sending thread only):
        var position = await Task.Run(() => hub.Position(Channel)).WaitAsync(Timeout);
        var late = TestConnections.Create(_time);
        var subscribed = await Task.Run(() => hub.Subscribe(late, Channel, null, Reply)).WaitAsync(Timeout);
        late.Drain();
        var second = await Task.Run(() => Publish(hub, 2)).WaitAsync(Timeout);
        var unsubscribed = hub.Unsubscribe(fast, Channel);
        var unsubscribedEarly = unsubscribed.IsCompleted;
        var firstEarly = first.IsCompleted;
        slow.Stream.Release();
        await first.WaitAsync(Timeout);
        await unsubscribed.WaitAsync(Timeout);

        Assert.Equal(1, position?.Offset);
        Assert.Equal(1, subscribed.Offset);
        Assert.Equal(2, second);
        Assert.False(firstEarly, "the first publish returns once its fan-out was handed to every subscriber");
        Assert.False(unsubscribedEarly, "an unsubscribe completes once the fan-outs that included it were handed over");
        // The publication decided before the unsubscribe still reaches it, nothing after; the late subscriber gets
        // what came after its reply; the slow socket got both, in order.
        Assert.Equal([1L, 2], Offsets(fast.Drain()));
        Assert.Equal([2L], Offsets(late.Drain()));
        Assert.Equal([1L, 2], Offsets(slow.Stream.TextFrames()));
        Publish(hub, 3);
        Assert.Empty(fast.Drain());
    }

    [Fact]
    public async Task FanoutsSent_CompletesOnceWhatWasQueuedBehindABusySocketWasHandedOver()
    {
        await using var slow = new SocketConnection(_time);
        var (hub, other) = Subscribed(slow);
        var idle = hub.FanoutsSentAsync();

        slow.Stream.Hold();
        var first = Task.Run(() => Publish(hub, 1));
        await slow.Stream.Blocked.WaitAsync(Timeout);
        // What a shutdown's disconnect actions publish while another thread's fan-out is on its way.
        await Task.Run(() => Publish(hub, 2)).WaitAsync(Timeout);
        var sent = hub.FanoutsSentAsync();
        var sentEarly = sent.IsCompleted;
        slow.Stream.Release();
        await sent.WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        Assert.True(idle.IsCompletedSuccessfully);
        Assert.False(sentEarly);
        Assert.Equal([1L, 2], Offsets(other.Drain()));
    }

    [Fact]
    public async Task PublishFromWithinAFanout_IsSentAfterIt_ToEverySubscriber()
    {
        await using var first = new SocketConnection(_time);
        var (hub, second) = Subscribed(first);
        // Handing the frame to the first subscriber's socket publishes again on the same thread (as a disconnect hook
        // run inline by a failing send would).
        var nested = 0;
        first.Stream.OnWrite = () =>
        {
            if (Interlocked.Exchange(ref nested, 1) == 0) Publish(hub, 2);
        };

        Publish(hub, 1);

        Assert.Equal([1L, 2], Offsets(second.Drain()));
        Assert.Equal([1L, 2], Offsets(first.Stream.TextFrames()));
    }

    /// <summary>A hub with <paramref name="socket"/> subscribed first, then a queue-only connection (its reply taken).</summary>
    private (ChannelHub Hub, ClientConnection Other) Subscribed(SocketConnection socket)
    {
        var hub = TestChannels.Hub(_time);
        hub.Subscribe(socket.Connection, Channel, null, Reply);
        var other = TestConnections.Create(_time);
        hub.Subscribe(other, Channel, null, Reply);
        other.Drain();
        return (hub, other);
    }

    private static byte[] Reply(SubscribeOutcome outcome, IReadOnlyList<HistoryEntry> missed) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { reply = "subscribe", offset = outcome.Offset }));

    private static long Publish(ChannelHub hub, int n)
    {
        var publish = hub.PublishAsync(Channel, JsonDocument.Parse($"{{\"n\":{n}}}").RootElement).AsTask();
        Assert.True(publish.IsCompletedSuccessfully);
        return publish.Result.Offset;
    }

    private static long[] Offsets(IEnumerable<JsonElement> frames) =>
        [.. frames.Where(f => f.TryGetProperty("push", out _)).Select(f => f.GetProperty("offset").GetInt64())];

    /// <summary>A connection whose send loop runs over <see cref="GatedStream"/>, as over a socket.</summary>
    private sealed class SocketConnection : IAsyncDisposable
    {
        private readonly FakeTimeProvider _time;
        private readonly Task _run;

        public SocketConnection(FakeTimeProvider time)
        {
            _time = time;
            var socket = WebSocket.CreateFromStream(Stream, new WebSocketCreationOptions { IsServer = true });
            Connection = new ClientConnection("c_gated", socket, "127.0.0.1", new RealtimeOptions(), time,
                new HeartlineMetrics(new TestMeterFactory()), NullLogger.Instance);
            _run = Connection.RunAsync((_, _, _) => ValueTask.CompletedTask);
        }

        public GatedStream Stream { get; } = new();

        public ClientConnection Connection { get; }

        public async ValueTask DisposeAsync()
        {
            Stream.Release();
            Connection.Close(Heartline.Core.Protocol.CloseCodes.Normal, "test over");
            _time.Advance(TimeSpan.FromSeconds(new RealtimeOptions().CloseTimeoutSeconds + 1));
            await _run.WaitAsync(Timeout);
        }
    }

    /// <summary>
    /// A socket's stream whose writes can be held: a held write blocks the thread that makes it, as a send that runs
    /// inline does until the transport takes the bytes. Reads wait until the stream is disposed.
    /// </summary>
    private sealed class GatedStream : Stream
    {
        private readonly ManualResetEventSlim _open = new(true);
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _written = new();

        public Task Blocked => _blocked.Task;

        public Action? OnWrite { get; set; }

        public void Hold() => _open.Reset();

        public void Release() => _open.Set();

        /// <summary>The text frames written so far (server frames: unmasked), parsed.</summary>
        public List<JsonElement> TextFrames()
        {
            byte[] bytes;
            lock (_written) bytes = _written.ToArray();
            var frames = new List<JsonElement>();
            for (var i = 0; i < bytes.Length;)
            {
                var opcode = bytes[i] & 0x0F;
                long length = bytes[i + 1] & 0x7F;
                i += 2;
                if (length == 126) { length = (bytes[i] << 8) | bytes[i + 1]; i += 2; }
                else if (length == 127) { length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i)); i += 8; }
                if (opcode == 1) frames.Add(JsonDocument.Parse(bytes.AsMemory(i, (int)length)).RootElement.Clone());
                i += (int)length;
            }
            return frames;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            OnWrite?.Invoke();
            if (!_open.IsSet)
            {
                _blocked.TrySetResult();
                if (!_open.Wait(Timeout)) throw new TimeoutException("the test never released the write");
            }
            lock (_written) _written.Write(buffer);
        }

        // Synchronous on purpose: the send loop runs inline on the publishing thread, as Kestrel's pipe does when it
        // accepts the bytes.
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _disposed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            _open.Set();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
