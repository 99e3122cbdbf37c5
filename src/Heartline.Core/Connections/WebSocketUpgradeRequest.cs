using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Heartline.Core.Connections;

/// <summary>Whose word the client's address is (<c>X-Forwarded-For</c>).</summary>
internal enum ForwardedForRule
{
    /// <summary>Forwarded headers are off: the peer's address.</summary>
    Ignored,

    /// <summary>On, trusting any sender for one hop (the framework's switch): the header's last entry.</summary>
    LastEntry,

    /// <summary>On with narrower options: the forwarded-headers middleware decides, over HTTP.</summary>
    LeftToHttp,
}

/// <summary>What a connection's first bytes are, as far as the direct upgrade is concerned.</summary>
internal enum UpgradeHead
{
    /// <summary>Could still become an upgrade to <c>/ws</c>: read more.</summary>
    Incomplete,

    /// <summary>Anything else, for Kestrel's HTTP to answer as it always does.</summary>
    NotOurs,

    /// <summary>A complete, well-formed WebSocket upgrade to <c>/ws</c> (RFC 6455 4.2.1).</summary>
    Upgrade,
}

/// <summary>
/// Reads an HTTP/1.1 WebSocket upgrade to <c>/ws</c> from a connection's first bytes. Strict on purpose: only the plain
/// request every WebSocket client sends is taken (<c>GET /ws</c> or <c>/ws?…</c>, HTTP/1.1, a 16-byte key, version 13,
/// no body, no folded lines, at most <see cref="MaxHeadBytes"/>); everything else is <see cref="UpgradeHead.NotOurs"/>
/// and goes to Kestrel untouched, whose answers (400, 426, 429 …) stay the only ones.
/// </summary>
/// <param name="ForwardedFor">The last <c>X-Forwarded-For</c> header's value, if any (used only when forwarded headers are on).</param>
internal readonly record struct WebSocketUpgradeRequest(string Key, bool OffersHeartline, long HeadLength, string? ForwardedFor)
{
    /// <summary>Longest request head taken (browsers send under 1 KB); a longer one goes to Kestrel.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static readonly byte[] Method = "GET /ws"u8.ToArray();
    private static readonly byte[] End = "\r\n\r\n"u8.ToArray();

    public static UpgradeHead Parse(ReadOnlySequence<byte> buffer, out WebSocketUpgradeRequest request)
    {
        request = default;
        Span<byte> start = stackalloc byte[Method.Length + 1];
        var have = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, have).CopyTo(start);
        var prefix = Math.Min(have, Method.Length);
        if (!start[..prefix].SequenceEqual(Method.AsSpan(0, prefix))) return UpgradeHead.NotOurs;
        if (have <= Method.Length) return UpgradeHead.Incomplete;
        if (start[Method.Length] is not ((byte)' ' or (byte)'?')) return UpgradeHead.NotOurs;

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, End, advancePastDelimiter: true))
            return buffer.Length >= MaxHeadBytes ? UpgradeHead.NotOurs : UpgradeHead.Incomplete;
        if (reader.Consumed > MaxHeadBytes) return UpgradeHead.NotOurs;
        return TryRead(Encoding.Latin1.GetString(head), reader.Consumed, out request) ? UpgradeHead.Upgrade : UpgradeHead.NotOurs;
    }

    /// <summary>
    /// The client's address as the HTTP pipeline would see it: the last <c>X-Forwarded-For</c> entry when the rule says
    /// so and the request has one, else the peer. False when HTTP must decide (the entry is no address, or the rule is
    /// the forwarded-headers middleware's own).
    /// </summary>
    public bool TryGetClientAddress(ForwardedForRule rule, string peer, out string address)
    {
        address = peer;
        if (rule == ForwardedForRule.Ignored || ForwardedFor is null) return true;
        if (rule == ForwardedForRule.LeftToHttp) return false;
        // An address with or without a port ("203.0.113.7", "203.0.113.7:5555", "[2001:db8::1]:443").
        if (!System.Net.IPEndPoint.TryParse(ForwardedFor[(ForwardedFor.LastIndexOf(',') + 1)..].Trim(' ', '\t'), out var client))
            return false;
        address = client.Address.ToString();
        return true;
    }

    /// <summary>The response that completes the upgrade (RFC 6455 4.2.2).</summary>
    public byte[] Response()
    {
        var response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .Append(AcceptValue(Key)).Append("\r\n");
        if (OffersHeartline) response.Append("Sec-WebSocket-Protocol: ").Append(ConnectionHandler.SubProtocol).Append("\r\n");
        return Encoding.ASCII.GetBytes(response.Append("\r\n").ToString());
    }

    /// <summary>RFC 6455 fixes SHA-1 here: the value proves the server read the handshake, it protects nothing.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 6455 4.2.2 defines the accept value with SHA-1; it is no security measure.")]
    public static string AcceptValue(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));

    private static bool TryRead(string head, long length, out WebSocketUpgradeRequest request)
    {
        request = default;
        var lines = head.Split("\r\n");
        var requestLine = lines[0];
        if (!requestLine.EndsWith(" HTTP/1.1", StringComparison.Ordinal) || requestLine.AsSpan(4, requestLine.Length - 13).Contains(' '))
            return false;
        string? key = null, forwardedFor = null;
        bool host = false, upgrade = false, connection = false, version = false, heartline = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // A folded line (obs-fold), a name with spaces or without a colon: not a request to take here.
            if (colon <= 0 || line[0] is ' ' or '\t' || line.AsSpan(0, colon).ContainsAny(' ', '\t')) return false;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (Is(name, "Host")) host = true;
            else if (Is(name, "Upgrade")) upgrade |= HasToken(value, "websocket", StringComparison.OrdinalIgnoreCase);
            else if (Is(name, "Connection")) connection |= HasToken(value, "upgrade", StringComparison.OrdinalIgnoreCase);
            else if (Is(name, "Sec-WebSocket-Version")) version = !version && value == "13";
            else if (Is(name, "Sec-WebSocket-Protocol")) heartline |= HasToken(value, ConnectionHandler.SubProtocol, StringComparison.Ordinal);
            else if (Is(name, "Sec-WebSocket-Key"))
            {
                if (key is not null || !IsKey(value)) return false;
                key = value;
            }
            else if (Is(name, "X-Forwarded-For")) forwardedFor = value;
            else if (Is(name, "Transfer-Encoding") || (Is(name, "Content-Length") && value != "0")) return false;
        }
        if (!host || !upgrade || !connection || !version || key is null) return false;
        request = new WebSocketUpgradeRequest(key, heartline, length, forwardedFor);
        return true;
    }

    private static bool Is(string name, string expected) => name.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static bool HasToken(string value, string token, StringComparison comparison)
    {
        foreach (var part in value.Split(','))
        {
            if (part.Trim(' ', '\t').Equals(token, comparison)) return true;
        }
        return false;
    }

    private static bool IsKey(string value)
    {
        Span<byte> nonce = stackalloc byte[18];
        return value.Length == 24 && Convert.TryFromBase64String(value, nonce, out var written) && written == 16;
    }
}
