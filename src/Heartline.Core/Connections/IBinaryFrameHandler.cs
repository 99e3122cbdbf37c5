namespace Heartline.Core.Connections;

/// <summary>What became of a binary frame.</summary>
public enum BinaryFrameResult
{
    /// <summary>Taken (relayed, stored, or dropped on purpose, such as audio of an older epoch).</summary>
    Accepted,
    /// <summary>This connection may not send this kind (a listener sending audio): answered <c>binary_not_allowed</c>.</summary>
    NotAllowed,
    /// <summary>The frame itself is bad (too short, too long): answered <c>bad_frame</c>; later frames are still taken.</summary>
    Malformed,
}

/// <summary>
/// Receives binary frames whose first byte is <see cref="Kind"/>: several modules can carry media side by side, one kind
/// each. Called on the connection's receive loop; the frame borrows the receive buffer (copy what you keep).
/// </summary>
public interface IBinaryFrameHandler
{
    byte Kind { get; }

    ValueTask<BinaryFrameResult> HandleAsync(ClientConnection connection, ReadOnlyMemory<byte> frame);
}
