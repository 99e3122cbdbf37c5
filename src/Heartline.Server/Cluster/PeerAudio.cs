using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Heartline.Server.Auth;
using Microsoft.Extensions.Options;

namespace Heartline.Server.Cluster;

/// <summary>
/// The audio path between nodes: a speaker's node forwards each relayed frame to every peer over one WebSocket per
/// peer (<c>/cluster/peer</c>), and each peer hands it to its own listeners of the office. A message is
/// <c>[1 byte office length][office UTF-8][the audio frame unchanged]</c>. Real-time first: a link keeps at most a
/// few frames, drops the oldest when full and any frame older than 200 ms, and never slows the relay.
/// </summary>
internal static class PeerAudio
{
    public const string Path = "/cluster/peer";
    public const string Scheme = "HeartlinePeer";
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(200);

    /// <summary>How far a credential's time may be from the receiver's clock (clocks are NTP-synchronized).</summary>
    internal static readonly TimeSpan CredentialWindow = TimeSpan.FromMinutes(1);

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

    public static byte[] Message(string office, ReadOnlySpan<byte> frame)
    {
        var officeBytes = Encoding.UTF8.GetBytes(office);
        if (officeBytes.Length > byte.MaxValue) throw new ArgumentException("office key too long", nameof(office));
        var message = new byte[1 + officeBytes.Length + frame.Length];
        message[0] = (byte)officeBytes.Length;
        officeBytes.CopyTo(message.AsSpan(1));
        frame.CopyTo(message.AsSpan(1 + officeBytes.Length));
        return message;
    }

    public static bool TryParse(ReadOnlyMemory<byte> message, out string office, out ReadOnlyMemory<byte> frame)
    {
        office = "";
        frame = default;
        if (message.Length < 2) return false;
        var length = message.Span[0];
        if (message.Length <= 1 + length) return false;
        office = Encoding.UTF8.GetString(message.Span.Slice(1, length));
        frame = message[(1 + length)..];
        return true;
    }

    /// <summary>Receives one peer's frames until it closes; only nodes holding the shared key get in.</summary>
    public static async Task AcceptAsync(HttpContext http, ClusterFloorControl floors, IOptions<AuthOptions> auth,
        IHostApplicationLifetime lifetime, TimeProvider time)
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
                    if (count == buffer.Length) return; // larger than any audio frame: not ours
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), aborted).ConfigureAwait(false);
                    count += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                    return;
                }
                if (TryParse(buffer.AsMemory(0, count), out var office, out var frame)) floors.OnPeerAudio(office, frame);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }
}
