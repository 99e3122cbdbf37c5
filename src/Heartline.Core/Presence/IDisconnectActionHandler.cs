namespace Heartline.Core.Presence;

/// <summary>Why a connection ended, as told to disconnect actions and stored with the connection.</summary>
public static class DisconnectReasons
{
    /// <summary>The client closed the socket.</summary>
    public const string ClientClosed = "client_closed";
    /// <summary>The socket failed or a keep-alive timed out.</summary>
    public const string ConnectionLost = "connection_lost";
    /// <summary>The server closed it (the close code's name is appended, e.g. <c>closed:slow_consumer</c>).</summary>
    public const string ServerClosedPrefix = "closed:";
    /// <summary>The server is shutting down gracefully.</summary>
    public const string ServerShutdown = "server_shutdown";
    /// <summary>Found open at startup after a crash.</summary>
    public const string ServerRestart = "server_restart";
    /// <summary>In a cluster: the connection's node stopped heartbeating; a surviving node ended it.</summary>
    public const string NodeLost = "node_lost";
}

/// <summary>What a disconnect action is told when it runs.</summary>
public sealed record DisconnectActionContext(ConnectionRecord Connection, string Payload, string Reason);

/// <summary>
/// Runs the disconnect actions of one kind, in the spirit of Firebase's onDisconnect. An action runs once per
/// registration; after a crash it may run again at the next start, so handlers must be idempotent.
/// </summary>
public interface IDisconnectActionHandler
{
    /// <summary>A stable name stored with each action, e.g. <c>ptt.release_floor</c>.</summary>
    string Kind { get; }

    Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Registers actions that run once when a connection ends, for any reason, in the spirit of Firebase's onDisconnect:
/// persisted before registration completes, so a crash runs them at the next start (or, in a cluster, on the node that
/// finds this one lost).
/// </summary>
public interface IDisconnectActions
{
    /// <summary>Registers an action of <paramref name="kind"/> (a registered <see cref="IDisconnectActionHandler"/>); returns its id.</summary>
    Task<string> RegisterAsync(Connections.ClientConnection connection, string kind, string payload, CancellationToken cancellationToken = default);

    /// <summary>Forgets an action that is no longer needed (the floor was released normally, say).</summary>
    Task CancelAsync(string connectionId, string actionId, CancellationToken cancellationToken = default);
}
