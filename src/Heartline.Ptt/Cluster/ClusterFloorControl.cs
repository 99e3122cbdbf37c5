using Heartline.Core.Cluster;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Presence;
using Heartline.Ptt;
using Heartline.Core.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Ptt.Cluster;

/// <summary>
/// Floor control across nodes, enforced in PostgreSQL. An office's <c>office_floors</c> row is locked by every press
/// (<c>SELECT … FOR UPDATE</c>), so there is exactly one speaker per office whichever node the presses reach; the row's
/// epoch only grows and fences stale speakers. The change, the session row and the office's <c>ptt:{office}</c>
/// events commit together, and a NOTIFY tells every node, which keeps a <see cref="FloorView"/> per office for its
/// audio relay. The speaker's own node enforces the lease and the maximum talk time with its timer and extends the
/// lease in the row; if that node dies, the row's lease and the node-loss cleanup free the floor.
/// </summary>
internal sealed partial class ClusterFloorControl(
    ClusterDatabase database,
    PostgresPublicationLog log,
    IPeerRelay peers,
    DisconnectActions disconnectActions,
    PttStore store,
    BackgroundWriter writer,
    IEventLog events,
    IOptions<PttOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    TimeProvider time,
    ILogger<ClusterFloorControl> logger) : IFloorControl, IClusterNotificationHandler
{
    private readonly ConcurrentDictionary<string, ClusterOffice> _offices = new(StringComparer.Ordinal);
    private readonly PttOptions _options = options.Value;

    public PttOptions Options => _options;

    /// <summary>How long a lease renewal lasts beyond the lease itself: one renewal period, so a renewal may be late once.</summary>
    internal TimeSpan RenewPeriod => TimeSpan.FromMilliseconds(Math.Max(200, _options.LeaseMs / 3));

    public async ValueTask<FloorPress> PressAsync(ClientConnection connection, long receivedTimestamp, Action<FloorGrant, bool>? onGranted = null)
    {
        var user = connection.User!;
        var office = await OfficeAsync(user.OfficeKey).ConfigureAwait(false);
        var speaker = new PttUser(user.UserId, user.Name, connection.AppType);
        var now = NowMs();
        var eventId = Guid.NewGuid().ToString("N");
        BusTransaction? bus = null;
        var decision = await database.InTransactionAsync(async (c, tx) =>
        {
            // The row alone: a press that waited for the lock re-reads the row's latest version, but a joined table
            // would keep the version it first read (PostgreSQL's recheck of a locked row), so the holder's node comes next.
            var row = await c.QuerySingleAsync<FloorRow>(new CommandDefinition(
                """
                SELECT epoch AS Epoch, session_id AS SessionId, speaker_node AS SpeakerNode, speaker_connection AS SpeakerConnection,
                       speaker_user_id AS SpeakerUserId, speaker_name AS SpeakerName, speaker_app_type AS SpeakerAppType,
                       speaker_role AS SpeakerRole, granted_at AS GrantedAt, lease_until AS LeaseUntil
                FROM office_floors WHERE office = @Office
                FOR UPDATE
                """, new { Office = office.Office }, tx)).ConfigureAwait(false);
            if (row.SessionId is not null)
            {
                var holders = (await c.QueryAsync<(long HeartbeatAt, long? LostAt)>(new CommandDefinition(
                    "SELECT heartbeat_at, lost_at FROM nodes WHERE node_id = @Node", new { Node = row.SpeakerNode }, tx)).ConfigureAwait(false)).AsList();
                if (holders.Count == 1) (row.HeartbeatAt, row.LostAt) = holders[0];
            }
            var decision = Decide(office, row, connection, now);
            if (decision.Busy is not null || decision.Existing is not null) return decision;

            var epoch = Math.Max(row.Epoch + 1, now);
            var grant = new FloorGrant(NewSessionId(), epoch, office.Office, now);
            var batch = new NpgsqlBatch(c, tx);
            await using (batch.ConfigureAwait(false))
            {
                batch.Add("""
                    UPDATE office_floors SET epoch = $2, session_id = $3, speaker_node = $4, speaker_connection = $5, speaker_user_id = $6,
                        speaker_name = $7, speaker_app_type = $8, speaker_role = $9, granted_at = $10, lease_until = $11
                    WHERE office = $1
                    """, office.Office, epoch, grant.SessionId, database.NodeId, connection.Id, speaker.UserId, speaker.Name,
                    speaker.AppType, user.Role, now, now + _options.LeaseMs + (long)RenewPeriod.TotalMilliseconds);
                if (decision.PreviousReason is { } reason)
                {
                    EndSessionCommands(batch, row.SessionId!, now, reason);
                    batch.Add("SELECT pg_notify($1, $2)", database.FloorChannel, FloorNotice(row.Epoch, row.SessionId!, reason, office.Office));
                }
                batch.Add("SELECT pg_notify($1, $2)", database.FloorChannel, FloorNotice(epoch, grant.SessionId, null, office.Office));
                await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await PttStore.InsertSessionAsync(c, tx, new NewSession(grant.SessionId, office.Office, PttChannels.MediaChannel(office.Office),
                epoch, database.NodeId, eventId, speaker.UserId, speaker.Name, speaker.AppType, connection.Id, now, null, 0)).ConfigureAwait(false);

            bus = log.Begin(c, tx);
            var channel = PttChannels.EventChannel(office.Office);
            if (decision.PreviousReason is { } ended)
            {
                if (ended != PttEndReasons.NodeLost)
                {
                    bus.Publish(channel, new FloorRevoked("floor_revoked", row.SessionId!, row.Epoch, row.SpeakerUserId!, ended),
                        PttJsonContext.Default.FloorRevoked);
                }
                bus.Publish(channel, new SessionEnded("session_ended", row.SessionId!, row.Epoch, ended, now, _options.SessionHangMs),
                    PttJsonContext.Default.SessionEnded);
            }
            bus.Publish(channel, new SessionStarted("session_started", grant.SessionId, office.Office, PttChannels.MediaChannel(office.Office),
                epoch, speaker, now, _options.MaxTalkMs, new PttMedia(_options.MediaProvider, [_options.TokenDelayMinMs, _options.TokenDelayMaxMs])),
                PttJsonContext.Default.SessionStarted);
            if (decision.PreviousReason == PttEndReasons.Preempted)
            {
                bus.Publish(channel, new SpeakerChanged("speaker_changed", grant.SessionId, epoch, speaker, decision.Holder!.Speaker),
                    PttJsonContext.Default.SpeakerChanged);
            }
            await bus.FlushAsync().ConfigureAwait(false);
            return decision with { Granted = grant };
        }).ConfigureAwait(false);

        if (decision.Busy is { } busy)
        {
            PttEventRecords.Enqueue(events, PttEventTypes.PttBusy, office.Office, busy.SessionId, speaker.UserId, NowMs(),
                new() { ["speaker"] = busy.Speaker.UserId });
            return new FloorPress(null, busy, false);
        }
        if (decision.Existing is { } existing) return new FloorPress(existing, null, false);

        var granted = decision.Granted!;
        var preempted = decision.PreviousReason == PttEndReasons.Preempted;
        // Before this node's subscribers get the start: the speaker's reply comes first, as on one node.
        onGranted?.Invoke(granted, preempted);
        bus!.Committed();
        var held = new HeldFloor(granted.SessionId, granted.Epoch, office.Office, connection, speaker, now, time.GetTimestamp());
        if (decision.PreviousReason is { } previousReason)
        {
            ApplyFloorChange(office, decision.PreviousEpoch, decision.Holder!.SessionId, previousReason);
            RecordEnded(office.Office, decision.Holder.SessionId, decision.Holder.Speaker.UserId, previousReason, decision.PreviousGrantedAt, now);
            if (previousReason == PttEndReasons.Preempted)
            {
                PttEventRecords.Enqueue(events, PttEventTypes.SpeakerChanged, office.Office, granted.SessionId, speaker.UserId, now,
                    new() { ["previous"] = decision.Holder.Speaker.UserId, ["previous_session_id"] = decision.Holder.SessionId });
            }
        }
        Hold(office, held);
        held.DisconnectAction = RegisterReleaseActionAsync(held);
        RecordStarted(held, eventId, (long)time.GetElapsedTime(receivedTimestamp).TotalMicroseconds);
        return new FloorPress(granted, null, preempted);
    }

    /// <summary>What a press does to the row it locked: nothing (busy, or already the speaker) or a grant.</summary>
    private PressDecision Decide(ClusterOffice office, FloorRow row, ClientConnection presser, long now)
    {
        if (row.SessionId is null) return new PressDecision();
        var holder = new FloorHolder(new PttUser(row.SpeakerUserId!, row.SpeakerName!, row.SpeakerAppType!), row.SessionId);
        if (row.SpeakerConnection == presser.Id)
            return new PressDecision { Existing = new FloorGrant(row.SessionId, row.Epoch, presser.User!.OfficeKey, row.GrantedAt ?? now) };
        var nodeGone = row.LostAt is not null || row.HeartbeatAt is null
            || row.HeartbeatAt < now - clusterOptions.Value.NodeTimeoutSeconds * 1000L;
        string reason;
        if (nodeGone) reason = PttEndReasons.NodeLost;
        else if (row.LeaseUntil < now) reason = PttEndReasons.LeaseExpired;
        else if (MayTakeOver(office, row, presser, now)) reason = PttEndReasons.Disconnected;
        else if (_options.PreemptionFor(presser.User!.OfficeKey) && presser.User.Role == Heartline.Core.Auth.Roles.CallManager
                 && row.SpeakerRole == Heartline.Core.Auth.Roles.PickupDriver) reason = PttEndReasons.Preempted;
        else return new PressDecision { Busy = holder };
        return new PressDecision { PreviousReason = reason, Holder = holder, PreviousEpoch = row.Epoch, PreviousGrantedAt = row.GrantedAt ?? now };
    }

    /// <summary>
    /// The single-node takeover rule (<see cref="PttDeadlines.MayTakeOver"/>) on the locked row: the same user on
    /// another connection, and the holder closing or silent long enough. A holder on this node is judged by its exact
    /// last activity. One on another node is judged by the activity its lease was last extended for (lease_until minus
    /// the lease and one renewal period); that node extends it once per renewal period, so a talking holder can look
    /// silent for up to one period more than it is, and the silence it must show here is one period longer.
    /// </summary>
    private bool MayTakeOver(ClusterOffice office, FloorRow row, ClientConnection presser, long now)
    {
        if (!string.Equals(row.SpeakerUserId, presser.User!.UserId, StringComparison.Ordinal)) return false;
        if (office.Held is { } held && held.Epoch == row.Epoch && held.SessionId == row.SessionId)
            return PttDeadlines.MayTakeOver(time, _options, held, presser);
        if (row.LeaseUntil is not { } leaseUntil) return false;
        var renewal = (long)RenewPeriod.TotalMilliseconds;
        var lastActivity = leaseUntil - _options.LeaseMs - renewal;
        return now - lastActivity >= PttDeadlines.TakeoverSilence(_options).TotalMilliseconds + renewal;
    }

    public async ValueTask<bool> ReleaseAsync(ClientConnection connection, long epoch)
    {
        if (!_offices.TryGetValue(connection.User!.OfficeKey, out var office)) return false;
        var held = office.Held;
        if (held is null || held.Speaker != connection || held.Epoch != epoch) return false;
        return await EndAsync(office.Office, epoch, PttEndReasons.Released, revoke: false).ConfigureAwait(false);
    }

    public bool Keepalive(ClientConnection connection, long epoch)
    {
        if (!_offices.TryGetValue(connection.User!.OfficeKey, out var office)) return false;
        var held = office.Held;
        if (held is null || held.Speaker != connection || held.Epoch != epoch) return false;
        held.Touch(time.GetTimestamp());
        return true;
    }

    public async ValueTask<bool> EndIfCurrentAsync(string office, long epoch, string reason, CancellationToken cancellationToken = default) =>
        await EndAsync(office, epoch, reason, revoke: reason is not (PttEndReasons.Disconnected or PttEndReasons.NodeLost or PttEndReasons.ServerRestart),
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Ends the grant of <paramref name="epoch"/> if the row still holds it, from any node: frees the row, ends the
    /// session and its participants, publishes the end. False when it was not current (already ended or superseded).
    /// </summary>
    internal async Task<bool> EndAsync(string office, long epoch, string reason, bool revoke, CancellationToken cancellationToken = default)
    {
        var now = NowMs();
        BusTransaction? bus = null;
        var ended = await database.InTransactionAsync(async (c, tx) =>
        {
            var row = await c.QueryFirstOrDefaultAsync<FloorRow>(new CommandDefinition(
                """
                SELECT epoch AS Epoch, session_id AS SessionId, speaker_user_id AS SpeakerUserId, granted_at AS GrantedAt
                FROM office_floors WHERE office = @Office AND epoch = @Epoch AND session_id IS NOT NULL
                FOR UPDATE
                """, new { Office = office, Epoch = epoch }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (row is null) return null;
            var batch = new NpgsqlBatch(c, tx);
            await using (batch.ConfigureAwait(false))
            {
                batch.Add("""
                    UPDATE office_floors SET session_id = NULL, speaker_node = NULL, speaker_connection = NULL, speaker_user_id = NULL,
                        speaker_name = NULL, speaker_app_type = NULL, speaker_role = NULL, granted_at = NULL, lease_until = NULL
                    WHERE office = $1
                    """, office);
                EndSessionCommands(batch, row.SessionId!, now, reason);
                batch.Add("SELECT pg_notify($1, $2)", database.FloorChannel, FloorNotice(epoch, row.SessionId!, reason, office));
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            bus = log.Begin(c, tx);
            var channel = PttChannels.EventChannel(office);
            if (revoke)
            {
                bus.Publish(channel, new FloorRevoked("floor_revoked", row.SessionId!, epoch, row.SpeakerUserId!, reason),
                    PttJsonContext.Default.FloorRevoked);
            }
            bus.Publish(channel, new SessionEnded("session_ended", row.SessionId!, epoch, reason, now, _options.SessionHangMs),
                PttJsonContext.Default.SessionEnded);
            await bus.FlushAsync(cancellationToken).ConfigureAwait(false);
            return row;
        }, cancellationToken).ConfigureAwait(false);

        if (ended is null)
        {
            // Not current any more: whatever this node still holds of it is stale.
            if (_offices.TryGetValue(office, out var stale)) DropHeld(stale, epoch, reason);
            return false;
        }
        bus!.Committed();
        if (_offices.TryGetValue(office, out var known)) ApplyFloorChange(known, epoch, ended.SessionId!, reason);
        RecordEnded(office, ended.SessionId!, ended.SpeakerUserId!, reason, ended.GrantedAt ?? now, now);
        Log.SessionEnded(logger, ended.SessionId!, office, reason);
        return true;
    }

    private static void EndSessionCommands(NpgsqlBatch batch, string sessionId, long now, string reason)
    {
        batch.Add("UPDATE ptt_sessions SET ended_at = $2, end_reason = $3 WHERE session_id = $1 AND ended_at IS NULL", sessionId, now, reason);
        batch.Add("UPDATE ptt_participants SET left_at = $2, left_reason = 'session_ended' WHERE session_id = $1 AND left_at IS NULL",
            sessionId, now);
    }

    /// <summary>The office as this node sees it, its floor row created and its view read on first use.</summary>
    private async ValueTask<ClusterOffice> OfficeAsync(string officeKey)
    {
        var office = _offices.GetOrAdd(officeKey, static key => new ClusterOffice(key));
        Task loaded;
        lock (office.Lock) loaded = office.Loaded ??= LoadAsync(office);
        try
        {
            await loaded.ConfigureAwait(false);
        }
        catch
        {
            lock (office.Lock) if (office.Loaded == loaded) office.Loaded = null;
            throw;
        }
        return office;
    }

    private async Task LoadAsync(ClusterOffice office)
    {
        await Task.Yield();
        await using var c = await database.DataSource.OpenConnectionAsync().ConfigureAwait(false);
        await c.ExecuteAsync("INSERT INTO office_floors (office, epoch) VALUES (@Office, 0) ON CONFLICT (office) DO NOTHING",
            new { Office = office.Office }).ConfigureAwait(false);
        var row = await c.QuerySingleAsync<(long Epoch, string? SessionId)>(
            "SELECT epoch, session_id FROM office_floors WHERE office = @Office", new { Office = office.Office }).ConfigureAwait(false);
        lock (office.Lock)
        {
            // A notification may have been applied meanwhile: only a newer epoch moves the view.
            if (row.Epoch > office.View.Epoch || (row.Epoch == office.View.Epoch && office.View.SessionId is null))
                office.View = new FloorView(row.Epoch, row.SessionId, row.SessionId is not null, null, 0);
        }
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewSessionId() => "s_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    private static string FloorNotice(long epoch, string sessionId, string? endReason, string office) =>
        string.Create(CultureInfo.InvariantCulture, $"{epoch} {sessionId} {endReason ?? "-"} {office}");

    /// <summary>The locked row of a press (a class: Dapper fills nullable columns through setters).</summary>
    private sealed class FloorRow
    {
        public long Epoch { get; set; }
        public string? SessionId { get; set; }
        public string? SpeakerNode { get; set; }
        public string? SpeakerConnection { get; set; }
        public string? SpeakerUserId { get; set; }
        public string? SpeakerName { get; set; }
        public string? SpeakerAppType { get; set; }
        public string? SpeakerRole { get; set; }
        public long? GrantedAt { get; set; }
        public long? LeaseUntil { get; set; }
        public long? HeartbeatAt { get; set; }
        public long? LostAt { get; set; }
    }

    private sealed record PressDecision
    {
        public FloorHolder? Busy { get; init; }
        public FloorGrant? Existing { get; init; }
        public FloorGrant? Granted { get; init; }
        /// <summary>
        /// Why the previous holder's session ends (pre-empted, lease expired, node lost, or disconnected when its user
        /// took over from another connection), when there was one.
        /// </summary>
        public string? PreviousReason { get; init; }
        public FloorHolder? Holder { get; init; }
        public long PreviousEpoch { get; init; }
        public long PreviousGrantedAt { get; init; }
    }
}

/// <summary>Positional-parameter commands for <see cref="NpgsqlBatch"/>: one round trip for several statements.</summary>
internal static class NpgsqlBatchExtensions
{
    public static void Add(this NpgsqlBatch batch, string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        batch.BatchCommands.Add(command);
    }
}
