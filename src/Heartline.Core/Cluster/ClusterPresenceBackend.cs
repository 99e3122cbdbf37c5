using System.Threading.Channels;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>
/// Presence across nodes. <c>presence_scope_users</c> holds who is present anywhere, per scope: inserting a user's row
/// is the cluster-wide online transition and deleting it the offline one, each published with the change in one
/// transaction, so a user connected to two nodes is announced once. A node's own transitions (its tracker keeps the leave grace)
/// are applied in order by one loop; <see cref="ReconcileAsync"/> catches users whose connections ended elsewhere
/// without a transition (a lost node, a crash).
/// </summary>
internal sealed partial class ClusterPresenceBackend(ClusterDatabase database, PostgresBroker log, IEventLog events,
    IOptions<PresenceOptions> options, TimeProvider time, ILogger<ClusterPresenceBackend> logger) : BackgroundService, IPresenceBackend
{
    private readonly Channel<(Principal Principal, string Scope, bool Online, long Time)> _transitions =
        Channel.CreateUnbounded<(Principal, string, bool, long)>(new UnboundedChannelOptions { SingleReader = true });

    public void Online(Principal principal, string scope, long time) => _transitions.Writer.TryWrite((principal, scope, true, time));

    public void Offline(Principal principal, string scope, long time) => _transitions.Writer.TryWrite((principal, scope, false, time));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (principal, scope, online, at) in _transitions.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ApplyAsync(principal, scope, online, at, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The reconciler still announces a missed offline; a missed online shows at the user's next connect.
                    Log.TransitionFailed(logger, ex, principal.SubjectId, scope);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies this node's transition; true when it was the cluster's (and so was announced).</summary>
    internal async Task<bool> ApplyAsync(Principal principal, string scope, bool online, long at, CancellationToken cancellationToken)
    {
        BusTransaction? bus = null;
        var kind = online ? PresenceEvents.Online : PresenceEvents.Offline;
        var changed = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(online
                ? """
                  INSERT INTO presence_scope_users (scope, user_id, name, role, online_since)
                  VALUES (@Scope, @UserId, @Name, @Role, @At)
                  ON CONFLICT (scope, user_id) DO NOTHING
                  """
                // Offline only when no other live node has a connection of the user open in the scope: this node's own are gone.
                : """
                  DELETE FROM presence_scope_users p
                  WHERE p.scope = @Scope AND p.user_id = @UserId AND NOT EXISTS (
                      SELECT 1 FROM connection_scopes s JOIN connections c ON c.connection_id = s.connection_id
                      JOIN nodes n ON n.node_id = c.node_id
                      WHERE s.scope = @Scope AND c.user_id = @UserId AND c.ended_at IS NULL AND c.node_id <> @Me AND n.lost_at IS NULL)
                  """,
                new { Scope = scope, UserId = principal.SubjectId, principal.Name, principal.Role, At = at, Me = database.NodeId },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (changed == 0) return false;
            bus = log.Begin(connection, transaction);
            bus.Publish(PresenceEvents.Channel(scope), new PresenceEvent(kind, new PresenceUserRef(principal.SubjectId, principal.Name, principal.Role), at),
                HeartlineJsonContext.Default.PresenceEvent);
            await bus.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (!changed) return false;
        bus!.Committed();
        PresenceEvents.Record(events, scope, principal.SubjectId, kind, at);
        return true;
    }

    /// <summary>
    /// Announces offline every user who has no open connection on a live node and none that ended within the leave
    /// grace. Any node may run it at any time: the delete decides who announces. Returns how many went offline.
    /// </summary>
    internal async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        BusTransaction? bus = null;
        var gone = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var graceCutoff = now - options.Value.LeaveGraceSeconds * 1000L;
            var rows = (await connection.QueryAsync<(string Scope, string UserId, string Name, string Role)>(new CommandDefinition(
                """
                DELETE FROM presence_scope_users p
                WHERE p.online_since < @GraceCutoff AND NOT EXISTS (
                    SELECT 1 FROM connection_scopes s JOIN connections c ON c.connection_id = s.connection_id
                    LEFT JOIN nodes n ON n.node_id = c.node_id
                    WHERE s.scope = p.scope AND c.user_id = p.user_id
                      AND ((c.ended_at IS NULL AND n.lost_at IS NULL) OR c.ended_at >= @GraceCutoff))
                RETURNING p.scope, p.user_id, p.name, p.role
                """, new { GraceCutoff = graceCutoff }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            if (rows.Count == 0) return rows;
            bus = log.Begin(connection, transaction);
            foreach (var (scope, userId, name, role) in rows)
            {
                bus.Publish(PresenceEvents.Channel(scope), new PresenceEvent(PresenceEvents.Offline, new PresenceUserRef(userId, name, role), now),
                    HeartlineJsonContext.Default.PresenceEvent);
            }
            await bus.FlushAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }, cancellationToken).ConfigureAwait(false);
        bus?.Committed();
        foreach (var (scope, userId, _, _) in gone) PresenceEvents.Record(events, scope, userId, PresenceEvents.Offline, now);
        return gone.Count;
    }

    public async ValueTask<bool> IsConnectedElsewhereAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM connections c JOIN nodes n ON n.node_id = c.node_id
                WHERE c.user_id = @UserId AND c.ended_at IS NULL AND c.node_id <> @Me AND n.lost_at IS NULL)
            """, new { UserId = userId, Me = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string scope, IReadOnlyList<PresenceUser> local, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT user_id, name, role, online_since FROM presence_scope_users WHERE scope = @Scope;
            SELECT c.connection_id, c.user_id, c.name, split_part(c.role, ' ', 1), c.app_type, c.device, c.connected_at, n.heartbeat_at
            FROM connection_scopes s JOIN connections c ON c.connection_id = s.connection_id JOIN nodes n ON n.node_id = c.node_id
            WHERE s.scope = @Scope AND c.ended_at IS NULL AND c.node_id <> @Me AND n.lost_at IS NULL
            ORDER BY c.connected_at, c.connection_id;
            """, new { Scope = scope, Me = database.NodeId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var online = await results.ReadAsync<(string UserId, string Name, string Role, long OnlineSince)>().ConfigureAwait(false);
        var remote = await results.ReadAsync<(string ConnectionId, string UserId, string Name, string Role, string AppType, string? Device,
            long ConnectedAt, long HeartbeatAt)>().ConfigureAwait(false);

        var users = new Dictionary<string, (string Name, string Role, long Since, List<PresenceConnection> Connections)>(StringComparer.Ordinal);
        foreach (var u in local) users[u.UserId] = (u.Name, u.Role, u.OnlineSince, [.. u.Connections]);
        foreach (var u in online)
        {
            users[u.UserId] = users.TryGetValue(u.UserId, out var known)
                ? known with { Since = Math.Min(known.Since, u.OnlineSince) }
                : (u.Name, u.Role, u.OnlineSince, []);
        }
        foreach (var c in remote)
        {
            if (!users.TryGetValue(c.UserId, out var user)) users[c.UserId] = user = (c.Name, c.Role, c.ConnectedAt, []);
            // Another node's connection was alive at that node's last heartbeat.
            user.Connections.Add(new PresenceConnection(c.ConnectionId, c.AppType, c.Device, c.ConnectedAt, c.HeartbeatAt));
        }
        return [.. users.Select(u => new PresenceUser(u.Key, u.Value.Name, u.Value.Role, u.Value.Since, u.Value.Connections))];
    }

    private static partial class Log
    {
        [LoggerMessage(5201, LogLevel.Error, "The presence transition of user {UserId} in scope {Scope} could not be applied.")]
        public static partial void TransitionFailed(ILogger logger, Exception exception, string userId, string scope);
    }
}
