using Heartline.Core.Connections;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Ends this node's connection rows that are still open although their socket is gone: a teardown whose database
/// writes failed (the database was restarting) leaves the row open, and in a cluster the user would look online until
/// this node restarts. Once a minute, for the presence sweeper: rows of this node older than a minute whose connection
/// is not in the <see cref="ConnectionRegistry"/> get their remaining disconnect actions run and are ended
/// (<c>connection_lost</c>). Both steps are safe to repeat, so racing a teardown still in progress does no harm.
/// </summary>
internal sealed partial class OrphanedConnectionCleanup(IConnectionStore store, ConnectionRegistry registry,
    DisconnectActions actions, IOptions<PresenceOptions> options, TimeProvider time, ILogger<OrphanedConnectionCleanup> logger)
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Younger rows are left alone: their connection may still be registering.</summary>
    internal static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    private DateTimeOffset _nextRunAt = DateTimeOffset.MinValue;

    /// <summary>Ends the orphaned rows if a check is due; returns how many it ended.</summary>
    internal async Task<int> RunIfDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (now < _nextRunAt) return 0;
        _nextRunAt = now + Interval;
        var youngest = (now - MinimumAge).ToUnixTimeMilliseconds();
        // Every registered connection has its open row, so as many open rows as registered connections means no orphan:
        // one count instead of reading every row each minute (10,000 connections made that a 6-MB, GC-triggering burst).
        // A teardown between the two reads only makes the rows outnumber, which costs one full look.
        var registered = registry.CountStoredUpTo(youngest);
        if (await store.CountOpenAsync(options.Value.NodeId, youngest, cancellationToken).ConfigureAwait(false) <= registered) return 0;
        var ended = 0;
        foreach (var row in await store.ListOpenAsync(options.Value.NodeId, cancellationToken).ConfigureAwait(false))
        {
            if (row.ConnectedAt > youngest || registry.TryGet(row.ConnectionId, out _)) continue;
            await actions.RunAsync(row, DisconnectReasons.ConnectionLost, loadFromStore: true, cancellationToken).ConfigureAwait(false);
            await store.EndAsync(row.ConnectionId, time.GetUtcNow().ToUnixTimeMilliseconds(), DisconnectReasons.ConnectionLost,
                cancellationToken).ConfigureAwait(false);
            ended++;
        }
        if (ended > 0) Log.Ended(logger, ended, options.Value.NodeId);
        return ended;
    }

    private static partial class Log
    {
        [LoggerMessage(1603, LogLevel.Warning, "Ended {Count} connections of node {NodeId} that were still open in the database after their socket had gone (an earlier teardown could not write).")]
        public static partial void Ended(ILogger logger, int count, string nodeId);
    }
}
