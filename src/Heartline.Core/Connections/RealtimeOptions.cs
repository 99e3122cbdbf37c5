using System.ComponentModel.DataAnnotations;

namespace Heartline.Core.Connections;

/// <summary>WebSocket transport limits, bound from the <c>Realtime</c> section. docs/protocol.md section 8 lists them.</summary>
internal sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>Seconds a new socket has to send <c>connect</c>. Default: 5.</summary>
    [Range(1, 120)] public int HandshakeTimeoutSeconds { get; set; } = 5;

    /// <summary>Largest inbound message in bytes. Default: 65,536.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Token-bucket refill rate for commands, per connection and second. Default: 50.</summary>
    [Range(1, 100_000)] public double CommandRatePerSecond { get; set; } = 50;

    /// <summary>Token-bucket size (burst). Default: 200, above <see cref="MaxSubscriptions"/> so a client can resubscribe everything at once after a reconnect.</summary>
    [Range(1, 100_000)] public int CommandBurst { get; set; } = 200;

    /// <summary><c>rate_limited</c> replies within <see cref="FloodWindowSeconds"/> that close the socket (4004). Default: 10.</summary>
    [Range(1, 10_000)] public int FloodThreshold { get; set; } = 10;

    /// <summary>Window for <see cref="FloodThreshold"/>. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int FloodWindowSeconds { get; set; } = 10;

    /// <summary>New WebSocket connections allowed per client IP per window. Default: 30.</summary>
    [Range(1, 1_000_000)] public int ConnectRatePerIp { get; set; } = 30;

    /// <summary>Window of <see cref="ConnectRatePerIp"/>. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int ConnectRateWindowSeconds { get; set; } = 10;

    /// <summary>Outbound frames queued per connection before it is closed as a slow consumer. Default: 1,024.</summary>
    [Range(8, 1_000_000)] public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>Outbound bytes queued per connection before it is closed as a slow consumer. Default: 1 MiB.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)] public int SendQueueMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Queued frames above which droppable media frames are dropped instead of queued. Default: 64.</summary>
    [Range(1, 1_000_000)] public int MediaDropThreshold { get; set; } = 64;

    /// <summary>WebSocket ping interval. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int KeepAliveIntervalSeconds { get; set; } = 10;

    /// <summary>Time a pong may take before the socket is aborted. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int KeepAliveTimeoutSeconds { get; set; } = 10;

    /// <summary>The application ping interval told to clients in the connect reply. Default: 25 seconds.</summary>
    [Range(1, 3600)] public int ClientPingIntervalSeconds { get; set; } = 25;

    /// <summary>Subscriptions per connection. Default: 128.</summary>
    [Range(1, 100_000)] public int MaxSubscriptions { get; set; } = 128;

    /// <summary>Time a close handshake may take before the socket is aborted. Default: 2 seconds.</summary>
    [Range(1, 60)] public int CloseTimeoutSeconds { get; set; } = 2;

    /// <summary>
    /// Kestrel's <c>UnsafePreferInlineScheduling</c>: a socket write is made by the thread that asks for it (a fan-out's
    /// thread writes its 500 sockets itself) instead of being handed to Kestrel's I/O queue, and received data reaches
    /// the connection's loop without that hop. The runtime still completes socket operations on thread-pool threads
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> is not set), so command handling runs where it always did.
    /// A fan-out to 500 listeners reached them ~30 % sooner at the median (docs/benchmarks.md). Default: true.
    /// </summary>
    public bool InlineIoScheduling { get; set; } = true;

    /// <summary>
    /// Serves a plain WebSocket upgrade to <c>/ws</c> on the raw connection, ahead of Kestrel's HTTP
    /// (<see cref="DirectUpgrade"/>): ~8.5 KB less memory per connection. Anything else still goes through HTTP.
    /// Default: true.
    /// </summary>
    public bool DirectUpgrade { get; set; } = true;
}
