namespace Heartline.Core.Protocol;

/// <summary>A WebSocket close code with its stable name and the documented client advice.</summary>
public readonly record struct CloseCode(int Value, string Name, bool Reconnect);

/// <summary>
/// The one catalog of close codes. 4000–4499 tell the client to reconnect, 4500–4999 not to (docs/protocol.md
/// section 7). A test checks that the documentation lists exactly these.
/// </summary>
public static class CloseCodes
{
    public static readonly CloseCode Normal = new(1000, "normal", false);
    public static readonly CloseCode GoingAway = new(1001, "going_away", true);
    public static readonly CloseCode InternalError = new(1011, "internal_error", true);
    public static readonly CloseCode Shutdown = new(4000, "shutdown", true);
    public static readonly CloseCode SlowConsumer = new(4001, "slow_consumer", true);
    public static readonly CloseCode KeepAliveTimeout = new(4002, "keepalive_timeout", true);
    public static readonly CloseCode HandshakeTimeout = new(4003, "handshake_timeout", true);
    public static readonly CloseCode Flood = new(4004, "flood", true);
    public static readonly CloseCode TokenExpired = new(4005, "token_expired", true);
    public static readonly CloseCode Replaced = new(4006, "replaced", true);
    public static readonly CloseCode Unauthorized = new(4500, "unauthorized", false);
    public static readonly CloseCode ProtocolError = new(4501, "protocol_error", false);
    public static readonly CloseCode FrameTooLarge = new(4502, "frame_too_large", false);
    public static readonly CloseCode Revoked = new(4503, "revoked", false);
    public static readonly CloseCode DisconnectedByOperator = new(4504, "disconnected_by_operator", false);

    public static readonly IReadOnlyList<CloseCode> All =
    [
        Normal, GoingAway, InternalError, Shutdown, SlowConsumer, KeepAliveTimeout, HandshakeTimeout, Flood,
        TokenExpired, Replaced, Unauthorized, ProtocolError, FrameTooLarge, Revoked, DisconnectedByOperator,
    ];
}
