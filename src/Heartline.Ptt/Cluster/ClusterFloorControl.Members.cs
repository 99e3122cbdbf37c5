using Heartline.Core.Cluster;
using Dapper;
using Heartline.Core.Connections;
using Heartline.Ptt;

namespace Heartline.Ptt.Cluster;

internal sealed partial class ClusterFloorControl
{
    public async ValueTask<PttState?> MemberConnectedAsync(ClientConnection connection)
    {
        var user = connection.User!;
        if (!PttChannels.IsMemberRole(user.Role)) return null;
        var office = await OfficeAsync(user.OfficeKey).ConfigureAwait(false);
        lock (office.Lock) office.Members = [.. office.Members, connection];
        if (!office.View.Active) return null;

        var now = NowMs();
        var info = new ParticipantInfo(user.UserId, user.Name, connection.AppType, connection.Device, now, connection.LastSeenMs);
        BusTransaction? bus = null;
        var sessionId = await database.InTransactionAsync(async (c, tx) =>
        {
            // FOR SHARE keeps the session from ending until the join and its event are committed behind it.
            var floors = (await c.QueryAsync<(string SessionId, string SpeakerUserId)>(
                "SELECT session_id, speaker_user_id FROM office_floors WHERE office = @Office AND session_id IS NOT NULL FOR SHARE",
                new { office.Office }, tx).ConfigureAwait(false)).AsList();
            // The speaker's own other connections (another device, or a dropped one) do not listen to it.
            if (floors.Count == 0 || floors[0].SpeakerUserId == user.UserId) return null;
            var current = floors[0];
            var inserted = await c.ExecuteAsync(
                """
                INSERT INTO ptt_participants (session_id, connection_id, user_id, name, app_type, device, joined_at, last_seen)
                VALUES (@SessionId, @ConnectionId, @UserId, @Name, @AppType, @Device, @Now, @Now)
                ON CONFLICT (session_id, connection_id) DO NOTHING
                """, new { current.SessionId, ConnectionId = connection.Id, info.UserId, info.Name, info.AppType, info.Device, Now = now }, tx)
                .ConfigureAwait(false);
            if (inserted == 0) return current.SessionId;
            await c.ExecuteAsync(
                """
                UPDATE ptt_sessions SET peak_participants = GREATEST(peak_participants,
                    (SELECT count(*) FROM ptt_participants WHERE session_id = @SessionId AND left_at IS NULL))
                WHERE session_id = @SessionId
                """, new { current.SessionId }, tx).ConfigureAwait(false);
            bus = log.Begin(c, tx);
            bus.Publish(PttChannels.EventChannel(office.Office), new ParticipantJoined("participant_joined", current.SessionId, info),
                PttJsonContext.Default.ParticipantJoined);
            await bus.FlushAsync().ConfigureAwait(false);
            return current.SessionId;
        }).ConfigureAwait(false);
        if (sessionId is null) return null;
        if (bus is not null)
        {
            bus.Committed();
            PttEventRecords.Enqueue(events, PttEventTypes.UserJoined, office.Office, sessionId, user.UserId, now,
                new() { ["app_type"] = connection.AppType });
        }
        return await StateAsync(office.Office).ConfigureAwait(false);
    }

    public void ConnectionEnded(ClientConnection connection)
    {
        var user = connection.User;
        if (user is null || !_offices.TryGetValue(user.OfficeKey, out var office)) return;
        lock (office.Lock)
        {
            var index = Array.IndexOf(office.Members, connection);
            if (index < 0) return;
            office.Members = [.. office.Members.AsSpan(0, index), .. office.Members.AsSpan(index + 1)];
        }
        if (office.View.Active) _ = LeaveQuietlyAsync(office, connection, "disconnected");
    }

    private async Task LeaveQuietlyAsync(ClusterOffice office, ClientConnection connection, string reason)
    {
        try
        {
            await LeaveAsync(office, connection, reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The stale cleaner closes the participant row later.
            Log.LeaveFailed(logger, ex, connection.Id);
        }
    }

    /// <summary>A listener leaves the office's current session (<c>disconnected</c>, <c>heartbeat_lost</c>); false if it was not in it.</summary>
    private async Task<bool> LeaveAsync(ClusterOffice office, ClientConnection connection, string reason)
    {
        var now = NowMs();
        BusTransaction? bus = null;
        var left = await database.InTransactionAsync<(string SessionId, string UserId)?>(async (c, tx) =>
        {
            var sessionId = await c.QueryFirstOrDefaultAsync<string?>(
                "SELECT session_id FROM office_floors WHERE office = @Office AND session_id IS NOT NULL FOR SHARE",
                new { office.Office }, tx).ConfigureAwait(false);
            if (sessionId is null) return null;
            var userId = await c.QueryFirstOrDefaultAsync<string?>(
                """
                UPDATE ptt_participants SET left_at = @Now, left_reason = @Reason, last_seen = @LastSeen
                WHERE session_id = @SessionId AND connection_id = @ConnectionId AND left_at IS NULL
                RETURNING user_id
                """, new { SessionId = sessionId, ConnectionId = connection.Id, Now = now, Reason = reason, LastSeen = connection.LastSeenMs }, tx)
                .ConfigureAwait(false);
            if (userId is null) return null;
            if (reason == "heartbeat_lost")
            {
                await c.ExecuteAsync("UPDATE ptt_sessions SET heartbeat_lost = heartbeat_lost + 1 WHERE session_id = @SessionId",
                    new { SessionId = sessionId }, tx).ConfigureAwait(false);
            }
            bus = log.Begin(c, tx);
            bus.Publish(PttChannels.EventChannel(office.Office), new ParticipantLeft("participant_left", sessionId, userId, reason),
                PttJsonContext.Default.ParticipantLeft);
            await bus.FlushAsync().ConfigureAwait(false);
            return (SessionId: sessionId, UserId: userId);
        }).ConfigureAwait(false);
        if (left is not { } l) return false;
        bus!.Committed();
        PttEventRecords.Enqueue(events, reason == "heartbeat_lost" ? PttEventTypes.HeartbeatLost : PttEventTypes.UserLeft, office.Office,
            l.SessionId, l.UserId, now, new() { ["reason"] = reason });
        return true;
    }

    public async ValueTask<PttState> StateAsync(string office, CancellationToken cancellationToken = default)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var results = await c.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT session_id, epoch, speaker_user_id, speaker_name, speaker_app_type, granted_at
            FROM office_floors WHERE office = @Office;
            SELECT p.connection_id, p.user_id, p.name, p.app_type, p.device, p.joined_at, p.last_seen
            FROM ptt_participants p JOIN office_floors f ON f.session_id = p.session_id
            WHERE f.office = @Office AND p.left_at IS NULL
            ORDER BY p.joined_at, p.connection_id;
            """, new { Office = office }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var floor = (await results.ReadAsync<(string? SessionId, long Epoch, string? UserId, string? Name, string? AppType, long? GrantedAt)>()
            .ConfigureAwait(false)).AsList();
        var rows = await results.ReadAsync<(string ConnectionId, string UserId, string Name, string AppType, string? Device, long JoinedAt, long LastSeen)>()
            .ConfigureAwait(false);
        // No session: the last epoch issued, so a client can tell this reply from one older than what it has seen.
        if (floor.Count == 0 || floor[0].SessionId is null)
            return new PttState(office, false, null, floor.Count == 0 || floor[0].Epoch == 0 ? null : floor[0].Epoch, null, null, null, []);
        // Listeners connected here have a live last-seen; the row has the one from when they joined.
        var local = _offices.TryGetValue(office, out var known) ? known.Members : [];
        var participants = rows.Select(p =>
        {
            var here = Array.Find(local, m => m.Id == p.ConnectionId);
            return new ParticipantInfo(p.UserId, p.Name, p.AppType, p.Device, p.JoinedAt, here?.LastSeenMs ?? p.LastSeen);
        }).ToList();
        var f = floor[0];
        return new PttState(office, true, f.SessionId, f.Epoch, PttChannels.MediaChannel(office), new PttUser(f.UserId!, f.Name!, f.AppType!),
            f.GrantedAt, participants, new PttMedia(_options.MediaProvider, [_options.TokenDelayMinMs, _options.TokenDelayMaxMs]));
    }

    public async ValueTask<IReadOnlyList<string>> ActiveOfficesAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await c.QueryAsync<string>(new CommandDefinition("SELECT office FROM office_floors WHERE session_id IS NOT NULL ORDER BY office",
            cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
    }

    public async ValueTask<PttUser?> SpeakerAsync(string office, CancellationToken cancellationToken = default)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string UserId, string Name, string AppType)>(new CommandDefinition(
            "SELECT speaker_user_id, speaker_name, speaker_app_type FROM office_floors WHERE office = @Office AND session_id IS NOT NULL",
            new { Office = office }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var (userId, name, appType) in rows) return new PttUser(userId, name, appType);
        return null;
    }

    public async ValueTask<bool> IsRecentSessionAsync(string office, string sessionId, CancellationToken cancellationToken = default)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM (SELECT session_id FROM ptt_sessions WHERE office = @Office ORDER BY started_at DESC LIMIT 2) s
                           WHERE s.session_id = @SessionId)
            """, new { Office = office, SessionId = sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// A node is gone (lost, or this node's crashed predecessor): its floors are released, its listeners leave the
    /// sessions they were in, and whatever session it still had open ends.
    /// </summary>
    public async Task<int> EndNodeSessionsAsync(string? nodeId, string reason, long? startedBefore = null,
        CancellationToken cancellationToken = default)
    {
        var before = startedBefore ?? long.MaxValue;
        // Nodes share the database: only ever one node's leftovers (PresenceOptions.StartupCleanupNodeId is set here).
        ArgumentNullException.ThrowIfNull(nodeId);
        IReadOnlyList<(string Office, long Epoch)> held;
        await using (var c = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            held = (await c.QueryAsync<(string, long)>(new CommandDefinition(
                "SELECT office, epoch FROM office_floors WHERE speaker_node = @Node AND session_id IS NOT NULL AND COALESCE(granted_at, 0) < @Before",
                new { Node = nodeId, Before = before }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        }
        var ended = 0;
        foreach (var (office, epoch) in held)
        {
            if (await EndAsync(office, epoch, reason, revoke: false, cancellationToken).ConfigureAwait(false)) ended++;
        }
        var now = NowMs();
        var left = await database.InTransactionAsync(async (c, tx) => (await c.QueryAsync<(string SessionId, string UserId, string Office)>(
            new CommandDefinition(
                """
                UPDATE ptt_participants p SET left_at = @Now, left_reason = @Reason
                FROM connections c, office_floors f
                WHERE c.connection_id = p.connection_id AND c.node_id = @Node AND p.left_at IS NULL AND f.session_id = p.session_id
                  AND p.joined_at < @Before
                RETURNING p.session_id, p.user_id, f.office
                """, new { Now = now, Reason = reason, Node = nodeId, Before = before }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList(),
            cancellationToken).ConfigureAwait(false);
        foreach (var (sessionId, userId, office) in left)
        {
            log.Enqueue(PttChannels.EventChannel(office), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                new ParticipantLeft("participant_left", sessionId, userId, reason), PttJsonContext.Default.ParticipantLeft));
            PttEventRecords.Enqueue(events, PttEventTypes.UserLeft, office, sessionId, userId, now, new() { ["reason"] = reason });
        }
        var sessions = await store.EndOpenSessionsAsync(nodeId, now, reason, startedBefore, cancellationToken).ConfigureAwait(false);
        return ended + sessions.Count;
    }
}
