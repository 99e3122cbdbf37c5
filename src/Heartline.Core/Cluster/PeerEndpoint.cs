using System.Collections.Frozen;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Heartline.Core.Auth;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>
/// The receiving end of the peer links (<c>/cluster/peer</c>): a message is <c>[1 byte kind][payload]</c>, handed to
/// the module that registered the kind. Only nodes holding the shared signing key get in, with a credential that holds
/// one minute.
/// </summary>
internal sealed class PeerEndpoint(IEnumerable<IPeerMessageHandler> handlers, IOptions<AuthOptions> auth,
    IHostApplicationLifetime lifetime, TimeProvider time)
{
    public const string Path = "/cluster/peer";
    public const string Scheme = "HeartlinePeer";
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(200);

    /// <summary>How far a credential's time may be from the receiver's clock (clocks are NTP-synchronized).</summary>
    internal static readonly TimeSpan CredentialWindow = TimeSpan.FromMinutes(1);

    private readonly FrozenDictionary<byte, IPeerMessageHandler> _handlers = handlers.ToFrozenDictionary(h => h.Kind);

    /// <summary>
    /// The credential of <paramref name="nodeId"/> at <paramref name="unixSeconds"/>: an HMAC of both under the cluster's
    /// shared signing key. It holds for <see cref="CredentialWindow"/> only, so a header seen on the wire (the peer port
    /// should be private, or TLS) cannot open a link later.
    /// </summary>
    public static string Credential(string signingKey, string nodeId, long unixSeconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey),
            Encoding.UTF8.GetBytes(FormattableString.Invariant($"heartline-peer|{nodeId}|{unixSeconds}"))));

    /// <summary>A fresh header for each connection attempt.</summary>
    public static string AuthorizationHeader(string signingKey, string nodeId, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        return FormattableString.Invariant($"{Scheme} {nodeId} {seconds} {Credential(signingKey, nodeId, seconds)}");
    }

    public static bool IsAuthorized(string? header, string signingKey, DateTimeOffset now)
    {
        var parts = header?.Split(' ');
        if (parts is not [Scheme, var nodeId, var time, var credential]
            || !long.TryParse(time, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > CredentialWindow.TotalSeconds)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(credential),
            Encoding.ASCII.GetBytes(Credential(signingKey, nodeId, seconds)));
    }

    /// <summary>Receives one peer's messages until it closes.</summary>
    public async Task AcceptAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest || !IsAuthorized(http.Request.Headers.Authorization, auth.Value.SigningKey, time.GetUtcNow()))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var buffer = new byte[4096];
        // The server waits for open requests when it stops: a peer link ends with the application.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = stopping.Token;
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length) return; // larger than any real-time message: not ours
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), aborted).ConfigureAwait(false);
                    count += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                    return;
                }
                if (count > 0 && _handlers.TryGetValue(buffer[0], out var handler)) handler.OnMessage(buffer.AsMemory(1, count - 1));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }
}
