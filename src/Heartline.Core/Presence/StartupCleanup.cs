using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// At startup, finishes what a crashed predecessor on this node left open: runs each open connection's disconnect
/// actions with reason <c>server_restart</c> and marks the connection ended, then lets each module end what was left
/// (<see cref="INodeCleanup"/>). Runs before connections are accepted.
/// </summary>
internal sealed partial class StartupCleanup(
    IConnectionStore store, DisconnectActions actions, IEnumerable<INodeCleanup> modules, IOptions<PresenceOptions> options,
    TimeProvider time, ILogger<StartupCleanup> logger, Events.IEventLog? events = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => CleanAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Returns the number of connections cleaned.</summary>
    internal async Task<int> CleanAsync(CancellationToken cancellationToken)
    {
        var open = await store.ListOpenAsync(options.Value.StartupCleanupNodeId, cancellationToken).ConfigureAwait(false);
        var actionsRun = 0;
        foreach (var connection in open)
        {
            actionsRun += await actions.RunAsync(connection, DisconnectReasons.ServerRestart, loadFromStore: true, cancellationToken).ConfigureAwait(false);
            await store.EndAsync(connection.ConnectionId, time.GetUtcNow().ToUnixTimeMilliseconds(), DisconnectReasons.ServerRestart, cancellationToken).ConfigureAwait(false);
        }
        var ended = 0;
        foreach (var module in modules)
        {
            ended += await module.CleanAsync(options.Value.StartupCleanupNodeId, DisconnectReasons.ServerRestart, null, cancellationToken)
                .ConfigureAwait(false);
        }
        if (open.Count > 0 || ended > 0) Log.Cleaned(logger, open.Count, actionsRun, ended, options.Value.NodeId);
        // A single node's users were all online through it: the crashed process never announced them offline.
        // (In a cluster a user may still be online through another node; cluster presence reconciles that.)
        if (events is not null && !options.Value.SharedDatabase)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (scope, userId) in open.SelectMany(c => c.Scopes.Select(scope => (scope, c.UserId))).Distinct())
                PresenceEvents.Record(events, scope, userId, PresenceEvents.Offline, now);
        }
        return open.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1601, LogLevel.Warning, "Startup cleanup closed {Connections} connections left open by a previous process of node {NodeId}, ran {Actions} disconnect actions, and modules ended {Ended} more (reason server_restart).")]
        public static partial void Cleaned(ILogger logger, int connections, int actions, int ended, string nodeId);
    }
}
