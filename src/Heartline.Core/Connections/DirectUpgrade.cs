using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Connections;

/// <summary>
/// Serves a WebSocket upgrade to <c>/ws</c> on the raw connection, ahead of Kestrel's HTTP: the socket then runs
/// without the HTTP connection, request, context and middleware state that an upgraded request keeps alive for the
/// socket's whole life — about 8.5 KB less per connection (docs/benchmarks.md). Only the plain upgrade is taken
/// (<see cref="WebSocketUpgradeRequest"/>); any other request, TLS, HTTP/2, a client beyond the connection rate or a
/// server that is stopping reaches Kestrel's HTTP with its bytes untouched and is answered there, as without this.
/// On by default; <c>Realtime:DirectUpgrade=false</c> sends every upgrade through the HTTP pipeline.
/// </summary>
internal sealed partial class DirectUpgrade(
    ConnectionHandler handler,
    ConnectRateLimiter rateLimiter,
    Operations.HeartlineMetrics metrics,
    IOptions<KestrelServerOptions> kestrel,
    IConfiguration configuration,
    IOptions<ForwardedHeadersOptions> forwarded,
    TimeProvider time,
    ILogger<DirectUpgrade> logger)
{
    private readonly ForwardedForRule _forwardedFor = ReadForwardedForRule(configuration, forwarded.Value);

    /// <summary>The connection middleware, for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => context => OnConnectedAsync(context, next);

    private async Task OnConnectedAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var input = context.Transport.Input;
        var peer = (context.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
        string ip = peer;
        WebSocketUpgradeRequest request;
        // As long as Kestrel gives a request head (Kestrel:Limits:RequestHeadersTimeout, 30 s by default).
        using (var timeout = new CancellationTokenSource(kestrel.Value.Limits.RequestHeadersTimeout, time))
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Log.HeadTimedOut(logger, context.ConnectionId);
                    context.Abort(new ConnectionAbortedException("no request head in time"));
                    return;
                }
                var buffer = read.Buffer;
                var head = WebSocketUpgradeRequest.Parse(buffer, out request);
                if (head == UpgradeHead.Incomplete && !read.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                // A server that is stopping answers 503, a client beyond the rate 429 with Retry-After: both over HTTP.
                if (head == UpgradeHead.Upgrade && request.TryGetClientAddress(_forwardedFor, peer, out ip)
                    && !handler.IsStopping && rateLimiter.TryAcquire(ip, out _))
                {
                    input.AdvanceTo(buffer.GetPosition(request.HeadLength));
                    break;
                }
                // Nothing consumed, nothing examined: Kestrel's HTTP reads the same bytes at once.
                input.AdvanceTo(buffer.Start);
                await next(context).ConfigureAwait(false);
                return;
            }
        }
        await context.Transport.Output.WriteAsync(request.Response()).ConfigureAwait(false);
        metrics.ConnectionUpgradedDirectly();
        var socket = handler.CreateSocket(new DuplexPipeStream(context.Transport), request.OffersHeartline);
        await handler.RunAsync(socket, ip).ConfigureAwait(false);
        // Ended without the close handshake (aborted, a slow consumer, a dead peer): drop the connection rather than
        // have Kestrel wait to send what is left to a client that may never read it.
        if (socket.State != WebSocketState.Closed) context.Abort(new ConnectionAbortedException("WebSocket aborted"));
    }

    /// <summary>
    /// How the HTTP pipeline reads the client's address. The framework's switch (ASPNETCORE_FORWARDEDHEADERS_ENABLED, read
    /// as its options setup reads it) trusts <c>X-Forwarded-For</c> from any sender, one hop; options narrowed in code
    /// (known proxies or networks, more hops) are left to its middleware: such upgrades go through HTTP.
    /// </summary>
    private static ForwardedForRule ReadForwardedForRule(IConfiguration configuration, ForwardedHeadersOptions options)
    {
        if (!configuration.GetValue<bool>("ForwardedHeaders_Enabled")) return ForwardedForRule.Ignored;
        var anySender = options.ForwardedHeaders.HasFlag(ForwardedHeaders.XForwardedFor) && options.ForwardLimit == 1
            && options.KnownProxies.Count == 0 && options.KnownIPNetworks.Count == 0;
        return anySender ? ForwardedForRule.LastEntry : ForwardedForRule.LeftToHttp;
    }

    private static partial class Log
    {
        [LoggerMessage(1012, LogLevel.Debug, "Connection {KestrelConnectionId} sent no request head in time; aborted.")]
        public static partial void HeadTimedOut(ILogger logger, string kestrelConnectionId);
    }
}
