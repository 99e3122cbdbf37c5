namespace Heartline.Core.Presence;

/// <summary>Who is present in a scope, for modules (push-to-talk's listeners are the members present in the office).</summary>
public interface IPresence
{
    /// <summary>This node's open connections announced in <paramref name="scope"/>.</summary>
    IReadOnlyList<Connections.ClientConnection> Connections(string scope);

    /// <summary>The scope's users on every node with their connections (in a cluster this reads the database).</summary>
    ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>Whether the user has a connection in the scope on this node (or is within its leave grace).</summary>
    bool IsOnline(string scope, string userId);

    /// <summary>
    /// Whether the user has an open connection on any node, whatever its scopes (a module deciding between a live push and
    /// a push through another channel, say). This node answers from memory; a cluster asks the database for the others.
    /// </summary>
    ValueTask<bool> IsConnectedAsync(string userId, CancellationToken cancellationToken = default);
}
