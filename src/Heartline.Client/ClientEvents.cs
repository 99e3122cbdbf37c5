using System.Text.Json;

namespace Heartline.Client;

/// <summary>A connection was established and <c>connect</c> succeeded.</summary>
public sealed class ConnectedEventArgs(string connectionId, string nodeId, HeartlineUser user, bool isReconnect) : EventArgs
{
    /// <summary>The server's id for this connection.</summary>
    public string ConnectionId { get; } = connectionId;

    /// <summary>The server node that accepted the connection.</summary>
    public string NodeId { get; } = nodeId;

    /// <summary>Who the token identifies.</summary>
    public HeartlineUser User { get; } = user;

    /// <summary>True for an automatic reconnect, false for the first connection.</summary>
    public bool IsReconnect { get; } = isReconnect;
}

/// <summary>A connection ended.</summary>
public sealed class DisconnectedEventArgs(int closeCode, string reason, bool willReconnect) : EventArgs
{
    /// <summary>
    /// The close code: from the server's <c>disconnect</c> push or close frame, 1000 when this client closed, or 1006
    /// when the socket was lost without a close frame.
    /// </summary>
    public int CloseCode { get; } = closeCode;

    /// <summary>The reason the server gave, or a short description of what happened.</summary>
    public string Reason { get; } = reason;

    /// <summary>True when the client will reconnect by itself; false when it stopped (<see cref="HeartlineConnectionState.Closed"/>).</summary>
    public bool WillReconnect { get; } = willReconnect;
}

/// <summary>A push frame (a frame with a <c>push</c> field), including <c>pub</c> and module pushes such as <c>ptt.*</c>.</summary>
public sealed class PushEventArgs(string type, JsonElement frame) : EventArgs
{
    /// <summary>The <c>push</c> field, for example <c>pub</c> or <c>ptt.session_started</c>.</summary>
    public string Type { get; } = type;

    /// <summary>The whole frame.</summary>
    public JsonElement Frame { get; } = frame;
}

/// <summary>A binary (media) frame from the server.</summary>
public sealed class BinaryReceivedEventArgs(ReadOnlyMemory<byte> data) : EventArgs
{
    /// <summary>The frame's bytes; the client does not reuse this memory.</summary>
    public ReadOnlyMemory<byte> Data { get; } = data;
}

/// <summary>A publication on a subscribed channel.</summary>
public sealed class PublicationEventArgs(string channel, long offset, string epoch, long time, JsonElement data) : EventArgs
{
    /// <summary>The channel name.</summary>
    public string Channel { get; } = channel;

    /// <summary>The publication's offset within <see cref="Epoch"/>.</summary>
    public long Offset { get; } = offset;

    /// <summary>The channel's epoch.</summary>
    public string Epoch { get; } = epoch;

    /// <summary>When the server accepted it, Unix milliseconds.</summary>
    public long Time { get; } = time;

    /// <summary>The published JSON value.</summary>
    public JsonElement Data { get; } = data;
}

/// <summary>A subscription was renewed on a new connection (or failed to be).</summary>
public sealed class ResubscribedEventArgs(bool recovered, StreamPosition position, HeartlineException? error) : EventArgs
{
    /// <summary>
    /// True when every publication missed while disconnected was delivered (continuity kept). False when continuity was
    /// lost: reload the state by other means and continue from <see cref="Position"/>.
    /// </summary>
    public bool Recovered { get; } = recovered;

    /// <summary>The channel's position after the resubscription.</summary>
    public StreamPosition Position { get; } = position;

    /// <summary>Set when the server refused the subscription; it is then no longer active.</summary>
    public HeartlineException? Error { get; } = error;
}
