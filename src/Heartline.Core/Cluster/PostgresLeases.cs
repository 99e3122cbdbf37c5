using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Heartline.Core.Leases;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>
/// Leases of a cluster: one <c>leases</c> row per key, locked (<c>SELECT … FOR UPDATE</c>) by every decision, so there is
/// one holder whichever node decides; the row's epoch only grows and fences stale holders. A decision's change, writes
/// and publications commit in one transaction, and a NOTIFY tells every node's watchers. The holder's liveness is its
/// node's heartbeat: a lease held by a node silent past the node timeout is for the taking.
/// </summary>
internal sealed partial class PostgresLeases(ClusterDatabase database, PostgresBroker broker, IOptions<ClusterOptions> options,
    TimeProvider time) : ILeases, IClusterNotificationHandler
{
    private readonly ConcurrentDictionary<string, byte> _created = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, ILeaseWatcher Watcher)> _watchers = [];

    public string NotifyChannel => database.LeaseChannel;

    public async ValueTask<T> UpdateAsync<T>(string key, Func<LeaseUpdate, T> decide, CancellationToken cancellationToken = default)
    {
        await EnsureRowAsync(key, cancellationToken).ConfigureAwait(false);
        BusTransaction? bus = null;
        var result = await database.InTransactionAsync(async (c, tx) =>
        {
            // The row alone: a decision that waited for the lock re-reads the row's latest version, but a joined table
            // would keep the version it first read (PostgreSQL's recheck of a locked row), so the holder's node comes next.
            var row = await c.QuerySingleAsync<LeaseRow>(new CommandDefinition(
                """
                SELECT epoch AS Epoch, holder_node AS HolderNode, holder_connection AS HolderConnection, holder_user AS HolderUser,
                       granted_at AS GrantedAt, lease_until AS LeaseUntil, data AS Data
                FROM leases WHERE lease_key = @Key FOR UPDATE
                """, new { Key = key }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var alive = row.HolderNode is null || await IsAliveAsync(c, tx, row.HolderNode, cancellationToken).ConfigureAwait(false);
            var update = new LeaseUpdate(row.ToState(key, alive), NowMs(), database.NodeId);
            var result = decide(update);
            if (update.Changed)
            {
                var holder = update.Granted;
                var epoch = holder is null ? row.Epoch : update.NextEpoch;
                await c.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE leases SET epoch = @Epoch, holder_node = @Node, holder_connection = @Connection, holder_user = @User,
                        granted_at = @GrantedAt, lease_until = @Until, data = @Data
                    WHERE lease_key = @Key
                    """, new
                    {
                        Key = key, Epoch = epoch, Node = holder?.NodeId, Connection = holder?.ConnectionId, User = holder?.UserId,
                        holder?.GrantedAt, holder?.Until, holder?.Data,
                    }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await c.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@Channel, @Payload)",
                    new { Channel = database.LeaseChannel, Payload = Notice(new LeaseChange(key, epoch, holder, update.Note)) }, tx,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            foreach (var write in update.Writes) await write(c, tx).ConfigureAwait(false);
            if (update.Publications.Count > 0)
            {
                bus = broker.Begin(c, tx);
                foreach (var (channel, data) in update.Publications) bus.Publish(channel, data);
                await bus.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            return result;
        }, cancellationToken).ConfigureAwait(false);
        // After the commit: this node's subscribers get the publications without reading them back.
        bus?.Committed();
        return result;
    }

    public async ValueTask<LeaseState> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var states = await QueryAsync("WHERE l.lease_key = @Key", new { Key = key }, cancellationToken).ConfigureAwait(false);
        return states.Count == 1 ? states[0] : new LeaseState(key, 0, null, true);
    }

    public async ValueTask<IReadOnlyList<LeaseState>> ListHeldAsync(string keyPrefix, CancellationToken cancellationToken = default) =>
        await QueryAsync("WHERE l.lease_key LIKE @Prefix AND l.holder_connection IS NOT NULL ORDER BY l.lease_key",
            new { Prefix = EscapeLike(keyPrefix) + "%" }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<string>> RenewAsync(IReadOnlyList<LeaseRenewal> renewals, CancellationToken cancellationToken = default)
    {
        if (renewals.Count == 0) return [];
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var renewed = (await c.QueryAsync<string>(new CommandDefinition(
            """
            UPDATE leases l SET lease_until = w.until
            FROM unnest(@Keys::text[], @Epochs::bigint[], @Untils::bigint[]) AS w(lease_key, epoch, until)
            WHERE l.lease_key = w.lease_key AND l.epoch = w.epoch AND l.holder_connection IS NOT NULL
            RETURNING l.lease_key
            """, new
            {
                Keys = renewals.Select(r => r.Key).ToArray(),
                Epochs = renewals.Select(r => r.Epoch).ToArray(),
                Untils = renewals.Select(r => r.Until).ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return [.. renewals.Select(r => r.Key).Where(k => !renewed.Contains(k))];
    }

    public void Watch(string keyPrefix, ILeaseWatcher watcher)
    {
        lock (_watchers) _watchers.Add((keyPrefix, watcher));
    }

    public void OnNotification(string payload)
    {
        LeaseChange? change;
        try
        {
            change = JsonSerializer.Deserialize(payload, LeaseJsonContext.Default.LeaseChange);
        }
        catch (JsonException)
        {
            return;
        }
        if (change is null) return;
        foreach (var (prefix, watcher) in Watchers())
        {
            if (change.Key.StartsWith(prefix, StringComparison.Ordinal)) watcher.OnChanged(change);
        }
    }

    public void OnListening()
    {
        foreach (var (_, watcher) in Watchers()) watcher.OnResynchronize();
    }

    private (string Prefix, ILeaseWatcher Watcher)[] Watchers()
    {
        lock (_watchers) return [.. _watchers];
    }

    private async Task EnsureRowAsync(string key, CancellationToken cancellationToken)
    {
        if (_created.ContainsKey(key)) return;
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(new CommandDefinition("INSERT INTO leases (lease_key, epoch) VALUES (@Key, 0) ON CONFLICT (lease_key) DO NOTHING",
            new { Key = key }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        _created.TryAdd(key, 0);
    }

    private async Task<bool> IsAliveAsync(NpgsqlConnection c, NpgsqlTransaction tx, string node, CancellationToken cancellationToken)
    {
        var rows = (await c.QueryAsync<(long HeartbeatAt, long? LostAt)>(new CommandDefinition(
            "SELECT heartbeat_at, lost_at FROM nodes WHERE node_id = @Node", new { Node = node }, tx,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        return rows.Count == 1 && rows[0].LostAt is null && rows[0].HeartbeatAt >= NowMs() - TimeoutMs;
    }

    private async Task<List<LeaseState>> QueryAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<LeaseRow>(new CommandDefinition(
            $"""
            SELECT l.lease_key AS LeaseKey, l.epoch AS Epoch, l.holder_node AS HolderNode, l.holder_connection AS HolderConnection,
                   l.holder_user AS HolderUser, l.granted_at AS GrantedAt, l.lease_until AS LeaseUntil, l.data AS Data,
                   n.heartbeat_at AS HeartbeatAt, n.lost_at AS LostAt
            FROM leases l LEFT JOIN nodes n ON n.node_id = l.holder_node
            {where}
            """, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var cutoff = NowMs() - TimeoutMs;
        return [.. rows.Select(r =>
        {
            var alive = r.HolderNode is null || (r.LostAt is null && r.HeartbeatAt >= cutoff);
            return r.ToState(r.LeaseKey!, alive) with { Abandoned = r.HolderConnection is not null && (!alive || r.LeaseUntil < cutoff) };
        })];
    }

    private static string Notice(LeaseChange change) => JsonSerializer.Serialize(change, LeaseJsonContext.Default.LeaseChange);

    private static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private long TimeoutMs => options.Value.NodeTimeoutSeconds * 1000L;

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A <c>leases</c> row (a class: Dapper fills nullable columns through setters).</summary>
    private sealed class LeaseRow
    {
        public string? LeaseKey { get; set; }
        public long Epoch { get; set; }
        public string? HolderNode { get; set; }
        public string? HolderConnection { get; set; }
        public string? HolderUser { get; set; }
        public long? GrantedAt { get; set; }
        public long? LeaseUntil { get; set; }
        public string? Data { get; set; }
        public long? HeartbeatAt { get; set; }
        public long? LostAt { get; set; }

        public LeaseState ToState(string key, bool alive) => new(key, Epoch,
            HolderConnection is null ? null : new LeaseHolder(HolderNode ?? "", HolderConnection, HolderUser ?? "", GrantedAt ?? 0,
                LeaseUntil ?? 0, Data ?? ""), alive);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(LeaseChange))]
internal sealed partial class LeaseJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
