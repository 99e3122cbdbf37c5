namespace Heartline.Core.Connections;

/// <summary>
/// Lets a module react to connections arriving and leaving (for example, a member joining an active PTT session).
/// Called on the connection's own loop; implementations must be quick and must not throw.
/// </summary>
internal interface IConnectionObserver
{
    ValueTask OnConnectedAsync(ClientConnection connection);

    void OnDisconnected(ClientConnection connection, string reason);
}

/// <summary>Receives binary frames (media). Only one module may own them.</summary>
internal interface IMediaFrameHandler
{
    /// <summary>Handles one binary frame; false when the connection may not send media.</summary>
    ValueTask<bool> HandleAsync(ClientConnection connection, ReadOnlyMemory<byte> frame);
}
