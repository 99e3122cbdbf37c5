using System.Data.Common;
using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Ptt;

/// <summary>A session row as it is first written.</summary>
internal sealed record NewSession(string SessionId, string Office, string Channel, long Epoch, string NodeId, string EventId,
    string SpeakerUserId, string SpeakerName, string SpeakerAppType, string SpeakerConnectionId, long StartedAt, long? PressToGrantUs,
    int Peak);

/// <summary>A session that a clean-up ended in storage only (its floor was already gone): what its event needs.</summary>
internal sealed record EndedSession(string SessionId, string Office, string SpeakerUserId, long StartedAt);

/// <summary>A stored session as the statistics read it (a class: Dapper maps nullable columns onto settable properties).</summary>
internal class SessionRow
{
    public string SessionId { get; set; } = "";
    public string Office { get; set; } = "";
    public string SpeakerUserId { get; set; } = "";
    public long StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public string? EndReason { get; set; }
    public long? PressToGrantUs { get; set; }
    public long PeakParticipants { get; set; }
    public long HeartbeatLost { get; set; }
}

/// <summary>A stored session with what the drill-down adds: the speaker's name and app, and its own reported figures.</summary>
internal sealed class SessionDetailRow : SessionRow
{
    public string SpeakerName { get; set; } = "";
    public string SpeakerAppType { get; set; } = "";
    public double? SpeakerTokenMs { get; set; }
    public double? SpeakerJoinMs { get; set; }
    public long? FramesRelayed { get; set; }
}

internal sealed class SessionListenerRow
{
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string ConnectionId { get; set; } = "";
    public string AppType { get; set; } = "";
    public string? Device { get; set; }
    public long JoinedAt { get; set; }
    public long? LeftAt { get; set; }
    public string? LeftReason { get; set; }
    public double? NotifyMs { get; set; }
    public double? TokenMs { get; set; }
    public double? JoinMs { get; set; }
    public long? FramesHeard { get; set; }
}

internal sealed class ParticipantMetricsRow
{
    public string SessionId { get; set; } = "";
    public double? NotifyMs { get; set; }
    public double? TokenMs { get; set; }
    public double? JoinMs { get; set; }
}

/// <summary>
/// Persists sessions and participants. Floor decisions write their session rows with the decision (in its transaction
/// in a cluster, right behind it through the <see cref="BackgroundWriter"/> on one node); the rest goes through the
/// background writer in order, so floor control never waits for the disk; queries read directly.
/// </summary>
internal sealed partial class PttStore(IHeartlineDatabase database, BackgroundWriter writer)
{
    private static readonly string[] s_framesHeardNames = ["Frames", "SessionId", "ConnectionId"];

    /// <summary>Inserts a session row (with the grant's decision).</summary>
    internal static Task<int> InsertSessionAsync(DbConnection connection, DbTransaction transaction, NewSession session) =>
        connection.ExecuteAsync(
            """
            INSERT INTO ptt_sessions (session_id, office, channel, epoch, node_id, event_id, speaker_user_id, speaker_name,
                speaker_app_type, speaker_connection_id, started_at, press_to_grant_us, peak_participants)
            VALUES (@SessionId, @Office, @Channel, @Epoch, @NodeId, @EventId, @SpeakerUserId, @SpeakerName,
                @SpeakerAppType, @SpeakerConnectionId, @StartedAt, @PressToGrantUs, @Peak)
            """, session, transaction);

    /// <summary>The press→grant time and the listeners counted when the session started.</summary>
    public void SessionFigures(string sessionId, long pressToGrantUs, int listeners) =>
        writer.Enqueue((connection, transaction) => connection.ExecuteAsync(
            """
            UPDATE ptt_sessions SET press_to_grant_us = @Us,
                peak_participants = CASE WHEN peak_participants < @Count THEN @Count ELSE peak_participants END
            WHERE session_id = @SessionId
            """, new { SessionId = sessionId, Us = pressToGrantUs, Count = listeners }, transaction));

    /// <summary>How many audio frames each listener (by connection) of a session was sent, once it stopped listening.</summary>
    public void FramesHeard(string sessionId, IReadOnlyList<(string ConnectionId, long Frames)> listeners)
    {
        if (listeners.Count == 0) return;
        // One prepared statement re-run for every listener (RowBatch), not a Dapper command per row that binds its
        // parameters by name again: this runs at every session end, on the writer that shares the CPU with the fan-out.
        writer.Enqueue((connection, transaction) => RowBatch.ExecuteAsync(connection, transaction,
            "UPDATE ptt_participants SET frames_heard = @Frames WHERE session_id = @SessionId AND connection_id = @ConnectionId",
            s_framesHeardNames, listeners, (l, i) => i switch { 0 => l.Frames, 1 => sessionId, _ => l.ConnectionId }));
    }

    /// <summary>How many audio frames the speaker's node relayed in a session (written when its grant ends there).</summary>
    public void SessionFrames(string sessionId, long frames) =>
        writer.Enqueue((connection, transaction) => connection.ExecuteAsync(
            "UPDATE ptt_sessions SET frames_relayed = @Frames WHERE session_id = @SessionId", new { SessionId = sessionId, Frames = frames }, transaction));

    /// <summary>This node's listeners of a session that started: one statement for all of them, while it is open.</summary>
    public void ParticipantsJoined(string sessionId, IReadOnlyList<Participant> participants)
    {
        var rows = participants.Select(p => ParticipantRow(sessionId, p.Connection, p.User.UserId, p.User.Name, p.User.AppType, p.JoinedAtMs))
            .ToList();
        writer.Enqueue((connection, transaction) => InsertParticipantsAsync(connection, transaction, rows));
    }

    /// <summary>A member that joined mid-session (with the decision that announced it), and the session's peak.</summary>
    internal static async Task JoinAsync(DbConnection connection, DbTransaction transaction, ParticipantInsert row)
    {
        await InsertParticipantsAsync(connection, transaction, [row]).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            UPDATE ptt_sessions SET peak_participants =
                (SELECT count(*) FROM ptt_participants WHERE session_id = @SessionId AND left_at IS NULL)
            WHERE session_id = @SessionId
              AND peak_participants < (SELECT count(*) FROM ptt_participants WHERE session_id = @SessionId AND left_at IS NULL)
            """, new { row.SessionId }, transaction).ConfigureAwait(false);
    }

    /// <summary>A listener left (with the decision that announced it); a lost heartbeat is counted on the session.</summary>
    internal static async Task LeaveAsync(DbConnection connection, DbTransaction transaction, string sessionId, string connectionId,
        long leftAt, string reason, long lastSeen)
    {
        await connection.ExecuteAsync(
            """
            UPDATE ptt_participants SET left_at = @LeftAt, left_reason = @Reason, last_seen = @LastSeen
            WHERE session_id = @SessionId AND connection_id = @ConnectionId AND left_at IS NULL
            """, new { SessionId = sessionId, ConnectionId = connectionId, LeftAt = leftAt, Reason = reason, LastSeen = lastSeen },
            transaction).ConfigureAwait(false);
        if (reason == "heartbeat_lost")
        {
            await connection.ExecuteAsync("UPDATE ptt_sessions SET heartbeat_lost = heartbeat_lost + 1 WHERE session_id = @SessionId",
                new { SessionId = sessionId }, transaction).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores a connection's measured latencies for a session: a listener's on its participant row, the speaker's
    /// (token and join; a speaker is not notified) on the session row. Another connection's report matches neither.
    /// </summary>
    public void Report(string sessionId, string connectionId, double? notifyMs, double? tokenMs, double? joinMs) =>
        writer.Enqueue(async (connection, transaction) =>
        {
            var args = new { SessionId = sessionId, ConnectionId = connectionId, NotifyMs = notifyMs, TokenMs = tokenMs, JoinMs = joinMs };
            if (await connection.ExecuteAsync(
                """
                UPDATE ptt_participants SET notify_ms = COALESCE(@NotifyMs, notify_ms), token_ms = COALESCE(@TokenMs, token_ms),
                    join_ms = COALESCE(@JoinMs, join_ms)
                WHERE session_id = @SessionId AND connection_id = @ConnectionId
                """, args, transaction).ConfigureAwait(false) > 0)
                return;
            await connection.ExecuteAsync(
                """
                UPDATE ptt_sessions SET speaker_token_ms = COALESCE(@TokenMs, speaker_token_ms),
                    speaker_join_ms = COALESCE(@JoinMs, speaker_join_ms)
                WHERE session_id = @SessionId AND speaker_connection_id = @ConnectionId
                """, args, transaction).ConfigureAwait(false);
        });

    public Task FlushAsync(CancellationToken cancellationToken = default) => writer.FlushAsync(cancellationToken);

    /// <summary>Ends a session if it is still open (idempotent); returns it when this call ended it.</summary>
    public async Task<EndedSession?> EndIfOpenAsync(string sessionId, long endedAt, string reason, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var ended = await EndWhereAsync("session_id = @SessionId AND ", new { SessionId = sessionId }, endedAt, reason, cancellationToken)
            .ConfigureAwait(false);
        return ended.Count == 0 ? null : ended[0];
    }

    /// <summary>
    /// Ends every session a previous process of <paramref name="nodeId"/> (null: of any node) left open; returns them.
    /// </summary>
    public async Task<IReadOnlyList<EndedSession>> EndOpenSessionsAsync(string? nodeId, long endedAt, string reason,
        long? startedBefore = null, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await EndWhereAsync((nodeId is null ? "" : "node_id = @NodeId AND ") + (startedBefore is null ? "" : "started_at < @StartedBefore AND "),
            new { NodeId = nodeId, StartedBefore = startedBefore ?? 0 }, endedAt, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The open sessions matching <paramref name="where"/> (a condition ending in AND), ended in one transaction.</summary>
    private Task<IReadOnlyList<EndedSession>> EndWhereAsync(string where, object args, long endedAt, string reason,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var open = (await connection.QueryAsync<EndedSession>(
                "SELECT session_id AS SessionId, office AS Office, speaker_user_id AS SpeakerUserId, started_at AS StartedAt " +
                $"FROM ptt_sessions WHERE {where}ended_at IS NULL", args, transaction).ConfigureAwait(false)).ToList();
            foreach (var session in open)
                await EndAsync(connection, transaction, session.SessionId, endedAt, reason).ConfigureAwait(false);
            return (IReadOnlyList<EndedSession>)open;
        }, cancellationToken);

    public Task<IReadOnlyList<SessionRow>> SessionsAsync(string office, long from, long to, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<SessionRow>>(async connection => [.. await connection.QueryAsync<SessionRow>(new CommandDefinition(
            """
            SELECT session_id AS SessionId, office AS Office, speaker_user_id AS SpeakerUserId, started_at AS StartedAt,
                ended_at AS EndedAt, end_reason AS EndReason, press_to_grant_us AS PressToGrantUs,
                peak_participants AS PeakParticipants, heartbeat_lost AS HeartbeatLost
            FROM ptt_sessions WHERE office = @Office AND started_at >= @From AND started_at < @To ORDER BY started_at
            """, new { Office = office, From = from, To = to }, cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);

    /// <summary>Offices that had a session since <paramref name="from"/>.</summary>
    public Task<IReadOnlyList<string>> OfficesSinceAsync(long from, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<string>>(async connection => [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT office FROM ptt_sessions WHERE started_at >= @From ORDER BY office",
            new { From = from }, cancellationToken: cancellationToken)).ConfigureAwait(false)], cancellationToken);

    public Task<IReadOnlyList<ParticipantMetricsRow>> ParticipantMetricsAsync(string office, long from, long to, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<ParticipantMetricsRow>>(async connection => [.. await connection.QueryAsync<ParticipantMetricsRow>(new CommandDefinition(
            """
            SELECT p.session_id AS SessionId, p.notify_ms AS NotifyMs, p.token_ms AS TokenMs, p.join_ms AS JoinMs
            FROM ptt_participants p JOIN ptt_sessions s ON s.session_id = p.session_id
            WHERE s.office = @Office AND s.started_at >= @From AND s.started_at < @To
            UNION ALL
            SELECT session_id, NULL, speaker_token_ms, speaker_join_ms
            FROM ptt_sessions
            WHERE office = @Office AND started_at >= @From AND started_at < @To
              AND (speaker_token_ms IS NOT NULL OR speaker_join_ms IS NOT NULL)
            """, new { Office = office, From = from, To = to }, cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);

    public Task<IReadOnlyList<(string ConnectionId, long? LeftAt, string? LeftReason)>> ParticipantsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<(string, long?, string?)>>(async connection => [.. await connection.QueryAsync<(string, long?, string?)>(new CommandDefinition(
            "SELECT connection_id, left_at, left_reason FROM ptt_participants WHERE session_id = @SessionId",
            new { SessionId = sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false)], cancellationToken);

    /// <summary>A session with its listeners (first joined first), or null when there is none of that id.</summary>
    public Task<SessionDetail?> SessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async connection =>
        {
            var s = await connection.QuerySingleOrDefaultAsync<SessionDetailRow>(new CommandDefinition(
                """
                SELECT session_id AS SessionId, office AS Office, speaker_user_id AS SpeakerUserId, speaker_name AS SpeakerName,
                    speaker_app_type AS SpeakerAppType, started_at AS StartedAt, ended_at AS EndedAt, end_reason AS EndReason,
                    press_to_grant_us AS PressToGrantUs, peak_participants AS PeakParticipants, heartbeat_lost AS HeartbeatLost,
                    speaker_token_ms AS SpeakerTokenMs, speaker_join_ms AS SpeakerJoinMs, frames_relayed AS FramesRelayed
                FROM ptt_sessions WHERE session_id = @SessionId
                """, new { SessionId = sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (s is null) return null;
            var listeners = await connection.QueryAsync<SessionListenerRow>(new CommandDefinition(
                """
                SELECT user_id AS UserId, name AS Name, connection_id AS ConnectionId, app_type AS AppType, device AS Device,
                    joined_at AS JoinedAt, left_at AS LeftAt, left_reason AS LeftReason, notify_ms AS NotifyMs, token_ms AS TokenMs,
                    join_ms AS JoinMs, frames_heard AS FramesHeard
                FROM ptt_participants WHERE session_id = @SessionId ORDER BY joined_at, connection_id
                """, new { SessionId = sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return (SessionDetail?)new SessionDetail(s.SessionId, s.Office, new PttUser(s.SpeakerUserId, s.SpeakerName, s.SpeakerAppType),
                s.StartedAt, s.EndedAt, s.EndReason, s.EndedAt - s.StartedAt, s.PressToGrantUs / 1000.0, (int)s.PeakParticipants,
                (int)s.HeartbeatLost, s.SpeakerTokenMs, s.SpeakerJoinMs, s.FramesRelayed,
                [.. listeners.Select(l => new SessionListener(l.UserId, l.Name, l.ConnectionId, l.AppType, l.Device, l.JoinedAt, l.LeftAt,
                    l.LeftReason, l.NotifyMs, l.TokenMs, l.JoinMs, l.FramesHeard))]);
        }, cancellationToken);

    /// <summary>
    /// Records a KPI judgement; true when it changed the office's state (a new breach, or a recovery), which the caller
    /// then announces. A first judgement within target changes nothing. Across nodes the row decides who announces.
    /// </summary>
    public Task<bool> KpiTransitionAsync(string office, string kpi, bool breached, double value, long now, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => (await c.QueryAsync<string>(new CommandDefinition(breached
            ? """
              INSERT INTO ptt_kpi_state (office, kpi, breached, value, changed_at) VALUES (@Office, @Kpi, 1, @Value, @Now)
              ON CONFLICT (office, kpi) DO UPDATE SET breached = 1, value = excluded.value, changed_at = excluded.changed_at
              WHERE ptt_kpi_state.breached = 0
              RETURNING office
              """
            : """
              UPDATE ptt_kpi_state SET breached = 0, value = @Value, changed_at = @Now
              WHERE office = @Office AND kpi = @Kpi AND breached = 1
              RETURNING office
              """, new { Office = office, Kpi = kpi, Value = value, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false)).Any(),
            cancellationToken);

    /// <summary>Offices with a KPI in breach now (checked for recovery even when they went quiet).</summary>
    public Task<IReadOnlyList<string>> BreachedOfficesAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<string>>(async connection => [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT office FROM ptt_kpi_state WHERE breached = 1 ORDER BY office", cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);

    public Task<(long? EndedAt, string? EndReason)> SessionEndAsync(string sessionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<(long?, string?)>(new CommandDefinition(
            "SELECT ended_at, end_reason FROM ptt_sessions WHERE session_id = @SessionId",
            new { SessionId = sessionId }, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Whether <paramref name="sessionId"/> is one of the office's two newest sessions (a latency report's check).</summary>
    public Task<bool> IsRecentSessionAsync(string office, string sessionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(connection => connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT count(*) > 0 FROM (SELECT session_id FROM ptt_sessions WHERE office = @Office ORDER BY started_at DESC LIMIT 2) s
            WHERE s.session_id = @SessionId
            """, new { Office = office, SessionId = sessionId }, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Closes participant rows left open by what ended without them: their connection (at its end), their session (at
    /// its end; a late insert from another node's listener), or a connection row already purged (now). Returns how many.
    /// </summary>
    public async Task<int> CloseOrphanedParticipantsAsync(long now, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await database.WriteAsync(async (connection, transaction) =>
        {
            var closed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ptt_participants SET left_reason = 'disconnected',
                    left_at = (SELECT c.ended_at FROM connections c WHERE c.connection_id = ptt_participants.connection_id)
                WHERE left_at IS NULL AND EXISTS (SELECT 1 FROM connections c
                    WHERE c.connection_id = ptt_participants.connection_id AND c.ended_at IS NOT NULL)
                """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            closed += await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ptt_participants SET left_reason = 'session_ended',
                    left_at = (SELECT s.ended_at FROM ptt_sessions s WHERE s.session_id = ptt_participants.session_id)
                WHERE left_at IS NULL AND EXISTS (SELECT 1 FROM ptt_sessions s
                    WHERE s.session_id = ptt_participants.session_id AND s.ended_at IS NOT NULL)
                """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            closed += await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ptt_participants SET left_reason = 'disconnected', left_at = @Now
                WHERE left_at IS NULL AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.connection_id = ptt_participants.connection_id)
                """, new { Now = now }, transaction, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return closed;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A lost node's listeners leave the sessions they were in (sessions of other nodes, which go on); returns each one's
    /// session, user, name and office.
    /// </summary>
    public async Task<IReadOnlyList<(string SessionId, string UserId, string Name, string Office)>> LeaveNodeParticipantsAsync(string nodeId, long now,
        string reason, long joinedBefore, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await database.WriteAsync<IReadOnlyList<(string, string, string, string)>>(async (connection, transaction) =>
        {
            var left = (await connection.QueryAsync<(string SessionId, string UserId, string Name)>(new CommandDefinition(
                """
                UPDATE ptt_participants SET left_at = @Now, left_reason = @Reason
                WHERE left_at IS NULL AND joined_at < @Before
                  AND connection_id IN (SELECT connection_id FROM connections WHERE node_id = @Node)
                RETURNING session_id, user_id, name
                """, new { Now = now, Reason = reason, Before = joinedBefore, Node = nodeId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            if (left.Count == 0) return [];
            // PostgreSQL takes the ids as one array; Dapper expands them into a parameter each for SQLite.
            var inIds = database.Provider == StorageProviders.Postgres ? "= ANY(@Ids)" : "IN @Ids";
            var offices = (await connection.QueryAsync<(string SessionId, string Office)>(new CommandDefinition(
                $"SELECT session_id, office FROM ptt_sessions WHERE session_id {inIds}",
                new { Ids = left.Select(l => l.SessionId).Distinct().ToArray() }, transaction, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToDictionary(s => s.SessionId, s => s.Office, StringComparer.Ordinal);
            return [.. left.Where(l => offices.ContainsKey(l.SessionId)).Select(l => (l.SessionId, l.UserId, l.Name, offices[l.SessionId]))];
        }, cancellationToken).ConfigureAwait(false);
    }

    internal static ParticipantInsert ParticipantRow(string sessionId, Heartline.Core.Connections.ClientConnection connection, string userId,
        string name, string appType, long joinedAt) =>
        new(sessionId, connection.Id, userId, name, appType, connection.Device, joinedAt, connection.LastSeenMs);

    internal sealed record ParticipantInsert(string SessionId, string ConnectionId, string UserId, string Name, string AppType,
        string? Device, long JoinedAt, long LastSeen);

    private static readonly string[] ParticipantColumns =
        ["SessionId", "ConnectionId", "UserId", "Name", "AppType", "Device", "JoinedAt", "LastSeen"];

    // Every listener of a session is a row: one statement for a node's listeners. Only while the session is open, so a
    // row that comes after the session ended (another node learned of the grant late) is not left open.
    private static Task<int> InsertParticipantsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ParticipantInsert> rows) =>
        RowBatch.ExecuteAsync(connection, transaction,
            """
            INSERT INTO ptt_participants (session_id, connection_id, user_id, name, app_type, device, joined_at, last_seen)
            SELECT @SessionId, @ConnectionId, @UserId, @Name, @AppType, @Device, @JoinedAt, @LastSeen
            WHERE EXISTS (SELECT 1 FROM ptt_sessions WHERE session_id = @SessionId AND ended_at IS NULL)
            ON CONFLICT (session_id, connection_id) DO NOTHING
            """, ParticipantColumns, rows, static (r, i) => i switch
            {
                0 => r.SessionId, 1 => r.ConnectionId, 2 => r.UserId, 3 => r.Name, 4 => r.AppType, 5 => r.Device,
                6 => r.JoinedAt, _ => r.LastSeen,
            });

    /// <summary>Ends a session and its remaining participants if it is still open; returns 1 when it was.</summary>
    internal static async Task<int> EndAsync(DbConnection connection, DbTransaction transaction,
        string sessionId, long endedAt, string reason)
    {
        var ended = await connection.ExecuteAsync(
            "UPDATE ptt_sessions SET ended_at = @EndedAt, end_reason = @Reason WHERE session_id = @SessionId AND ended_at IS NULL",
            new { SessionId = sessionId, EndedAt = endedAt, Reason = reason }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            UPDATE ptt_participants SET left_at = @EndedAt, left_reason = 'session_ended'
            WHERE session_id = @SessionId AND left_at IS NULL
            """, new { SessionId = sessionId, EndedAt = endedAt }, transaction).ConfigureAwait(false);
        return ended;
    }
}
