namespace Heartline.Core.Connections;

/// <summary>
/// Lets a module react to connections arriving and leaving (for example, a member joining an active PTT session).
/// Called on the connection's own loop; implementations must be quick and must not throw.
/// </summary>
public interface IConnectionObserver
{
    /// <summary>The connection completed <c>connect</c> and its reply was queued.</summary>
    ValueTask OnConnectedAsync(ClientConnection connection);

    /// <summary>The connection ended (before its disconnect actions run).</summary>
    void OnDisconnected(ClientConnection connection, string reason);
}
