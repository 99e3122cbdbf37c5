using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Heartline.Core.Auth;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>
/// This node's outgoing links to its peers, one WebSocket per live peer kept in step with the <c>nodes</c> table, for
/// real-time binary messages of modules (relayed audio). Real-time first: a link keeps at most a few messages, drops
/// the oldest when full and any message older than 200 ms, and never slows its sender.
/// </summary>
internal sealed partial class PeerLinks(ClusterDatabase database, IOptions<ClusterOptions> options, IOptions<AuthOptions> auth,
    TimeProvider time, ILogger<PeerLinks> logger) : IPeerRelay, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PeerLink> _links = new(StringComparer.Ordinal);

    public int Count => _links.Count;

    /// <summary>Opens links to new peers and closes those to peers that left.</summary>
    public void Update(IReadOnlyList<(string NodeId, string Address)> peers)
    {
        if (!options.Value.PeerAudio) return;
        foreach (var (nodeId, address) in peers)
        {
            if (_links.TryGetValue(nodeId, out var link) && link.Address == address) continue;
            var key = auth.Value.SigningKey;
            var self = database.NodeId;
            var created = new PeerLink(nodeId, address, () => PeerEndpoint.AuthorizationHeader(key, self, time.GetUtcNow()), time, logger);
            if (link is not null) _ = link.DisposeAsync().AsTask();
            _links[nodeId] = created;
        }
        foreach (var (nodeId, link) in _links)
        {
            if (peers.Any(p => p.NodeId == nodeId)) continue;
            if (_links.TryRemove(new KeyValuePair<string, PeerLink>(nodeId, link))) _ = link.DisposeAsync().AsTask();
        }
    }

    public bool HasPeers => !_links.IsEmpty;

    /// <summary>Queues one message of <paramref name="kind"/> to every peer; never waits.</summary>
    public void Broadcast(byte kind, ReadOnlySpan<byte> payload)
    {
        if (_links.IsEmpty) return;
        var message = new byte[1 + payload.Length];
        message[0] = kind;
        payload.CopyTo(message.AsSpan(1));
        foreach (var link in _links.Values) link.Send(message);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links.Values) await link.DisposeAsync().ConfigureAwait(false);
        _links.Clear();
    }

    private sealed class PeerLink : IAsyncDisposable
    {
        private const int Capacity = 64;
        private readonly Channel<(byte[] Message, long Queued)> _queue = Channel.CreateBounded<(byte[], long)>(
            new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        private readonly CancellationTokenSource _stop = new();
        private readonly Func<string> _authorization;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly Task _loop;

        public PeerLink(string nodeId, string address, Func<string> authorization, TimeProvider time, ILogger logger)
        {
            NodeId = nodeId;
            Address = address;
            _authorization = authorization;
            _time = time;
            _logger = logger;
            _loop = Task.Run(RunAsync);
        }

        public string NodeId { get; }

        public string Address { get; }

        public void Send(byte[] message) => _queue.Writer.TryWrite((message, _time.GetTimestamp()));

        private async Task RunAsync()
        {
            var uri = new Uri(new Uri(Address.Replace("http://", "ws://", StringComparison.Ordinal).Replace("https://", "wss://", StringComparison.Ordinal)),
                PeerEndpoint.Path);
            var reconnect = Reconnection.Create(_time, (ex, delay) => Log.PeerLinkFailed(_logger, NodeId, Address, ex.Message, delay.TotalMilliseconds));
            while (!_stop.IsCancellationRequested)
            {
                ClientWebSocket socket;
                try
                {
                    socket = await reconnect.ExecuteAsync(ConnectAsync, uri, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                using var connected = socket;
                try
                {
                    Log.PeerLinked(_logger, NodeId, Address);
                    while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
                    {
                        while (_queue.Reader.TryRead(out var item))
                        {
                            // A real-time message that waited too long is worth less than none: dropped.
                            if (_time.GetElapsedTime(item.Queued) > PeerEndpoint.MaxAge) continue;
                            await socket.SendAsync(item.Message, WebSocketMessageType.Binary, true, _stop.Token).ConfigureAwait(false);
                        }
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
                {
                    Log.PeerLinkLost(_logger, NodeId, Address, ex.Message);
                }
            }
        }

        /// <summary>One attempt to open the link, with a fresh credential; bounded by two seconds.</summary>
        private async ValueTask<ClientWebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", _authorization());
            try
            {
                using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connecting.CancelAfter(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(uri, connecting.Token).ConfigureAwait(false);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5501, LogLevel.Debug, "Peer link to node {NodeId} at {Address} is up.")]
        public static partial void PeerLinked(ILogger logger, string nodeId, string address);

        [LoggerMessage(5502, LogLevel.Debug, "Peer link to node {NodeId} at {Address} could not open: {Reason}. Trying again in {DelayMs} ms.")]
        public static partial void PeerLinkFailed(ILogger logger, string nodeId, string address, string reason, double delayMs);

        [LoggerMessage(5503, LogLevel.Debug, "Peer link to node {NodeId} at {Address} was lost: {Reason}. Reconnecting.")]
        public static partial void PeerLinkLost(ILogger logger, string nodeId, string address, string reason);
    }
}
