using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Ptt;

/// <summary>A session row as it is first written.</summary>
internal sealed record NewSession(string SessionId, string Office, string Channel, long Epoch, string NodeId, string EventId,
    string SpeakerUserId, string SpeakerName, string SpeakerAppType, string SpeakerConnectionId, long StartedAt, long? PressToGrantUs,
    int Peak);

/// <summary>A stored session as the statistics read it (a class: Dapper maps nullable columns onto settable properties).</summary>
internal sealed class SessionRow
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

internal sealed class ParticipantMetricsRow
{
    public string SessionId { get; set; } = "";
    public double? NotifyMs { get; set; }
    public double? TokenMs { get; set; }
    public double? JoinMs { get; set; }
}

/// <summary>
/// Persists sessions and participants. Recording goes through the <see cref="BackgroundWriter"/> in order, so floor
/// control never waits for the disk; queries read directly.
/// </summary>
internal sealed class PttStore(IHeartlineDatabase database, BackgroundWriter writer)
{
    public void SessionStarted(Grant grant, string nodeId, string eventId, long pressToGrantUs, IReadOnlyList<Participant> participants)
    {
        var session = new NewSession(grant.SessionId, grant.Office, PttChannels.MediaChannel(grant.Office), grant.Epoch, nodeId, eventId,
            grant.SpeakerUser.UserId, grant.SpeakerUser.Name, grant.SpeakerUser.AppType, grant.Speaker.Id, grant.StartedAtMs, pressToGrantUs, participants.Count);
        var rows = participants.Select(p => ParticipantRow(grant.SessionId, p)).ToList();
        writer.Enqueue(async (connection, transaction) =>
        {
            await InsertSessionAsync(connection, transaction, session).ConfigureAwait(false);
            if (rows.Count > 0) await InsertParticipantsAsync(connection, transaction, rows).ConfigureAwait(false);
        });
    }

    /// <summary>Inserts a session row (the cluster writes it inside the grant's transaction).</summary>
    internal static Task<int> InsertSessionAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, NewSession session) =>
        connection.ExecuteAsync(
            """
            INSERT INTO ptt_sessions (session_id, office, channel, epoch, node_id, event_id, speaker_user_id, speaker_name,
                speaker_app_type, speaker_connection_id, started_at, press_to_grant_us, peak_participants)
            VALUES (@SessionId, @Office, @Channel, @Epoch, @NodeId, @EventId, @SpeakerUserId, @SpeakerName,
                @SpeakerAppType, @SpeakerConnectionId, @StartedAt, @PressToGrantUs, @Peak)
            """, session, transaction);

    public void ParticipantJoined(string sessionId, Participant participant, int peak)
    {
        var row = ParticipantRow(sessionId, participant);
        writer.Enqueue(async (connection, transaction) =>
        {
            await InsertParticipantsAsync(connection, transaction, [row]).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "UPDATE ptt_sessions SET peak_participants = @Peak WHERE session_id = @SessionId AND peak_participants < @Peak",
                new { SessionId = sessionId, Peak = peak }, transaction).ConfigureAwait(false);
        });
    }

    public void ParticipantLeft(string sessionId, string connectionId, long leftAt, string reason, long lastSeen, bool heartbeatLost)
    {
        writer.Enqueue(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                UPDATE ptt_participants SET left_at = @LeftAt, left_reason = @Reason, last_seen = @LastSeen
                WHERE session_id = @SessionId AND connection_id = @ConnectionId AND left_at IS NULL
                """, new { SessionId = sessionId, ConnectionId = connectionId, LeftAt = leftAt, Reason = reason, LastSeen = lastSeen },
                transaction).ConfigureAwait(false);
            if (heartbeatLost)
            {
                await connection.ExecuteAsync(
                    "UPDATE ptt_sessions SET heartbeat_lost = heartbeat_lost + 1 WHERE session_id = @SessionId",
                    new { SessionId = sessionId }, transaction).ConfigureAwait(false);
            }
        });
    }

    public void SessionEnded(string sessionId, long endedAt, string reason) =>
        writer.Enqueue((connection, transaction) => EndAsync(connection, transaction, sessionId, endedAt, reason));

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

    /// <summary>Ends a session if it is still open (idempotent); returns whether it was open.</summary>
    public async Task<bool> EndIfOpenAsync(string sessionId, long endedAt, string reason, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await database.WriteAsync((connection, transaction) =>
            EndAsync(connection, transaction, sessionId, endedAt, reason), cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// Ends every session a previous process of <paramref name="nodeId"/> (null: of any node) left open; returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<(string SessionId, string Office)>> EndOpenSessionsAsync(string? nodeId, long endedAt, string reason,
        long? startedBefore = null, CancellationToken cancellationToken = default)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await database.WriteAsync(async (connection, transaction) =>
        {
            var open = (await connection.QueryAsync<(string SessionId, string Office)>(
                $"SELECT session_id, office FROM ptt_sessions WHERE {(nodeId is null ? "" : "node_id = @NodeId AND ")}" +
                $"{(startedBefore is null ? "" : "started_at < @StartedBefore AND ")}ended_at IS NULL",
                new { NodeId = nodeId, StartedBefore = startedBefore ?? 0 }, transaction).ConfigureAwait(false)).ToList();
            foreach (var (sessionId, _) in open)
                await EndAsync(connection, transaction, sessionId, endedAt, reason).ConfigureAwait(false);
            return (IReadOnlyList<(string, string)>)open;
        }, cancellationToken).ConfigureAwait(false);
    }

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

    public Task<(long? EndedAt, string? EndReason)> SessionEndAsync(string sessionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<(long?, string?)>(new CommandDefinition(
            "SELECT ended_at, end_reason FROM ptt_sessions WHERE session_id = @SessionId",
            new { SessionId = sessionId }, cancellationToken: cancellationToken)), cancellationToken);

    private static ParticipantInsert ParticipantRow(string sessionId, Participant p) => new(sessionId, p.Connection.Id,
        p.User.UserId, p.User.Name, p.User.AppType, p.Connection.Device, p.JoinedAtMs, p.Connection.LastSeenMs);

    private sealed record ParticipantInsert(string SessionId, string ConnectionId, string UserId, string Name, string AppType,
        string? Device, long JoinedAt, long LastSeen);

    private static readonly string[] ParticipantColumns =
        ["SessionId", "ConnectionId", "UserId", "Name", "AppType", "Device", "JoinedAt", "LastSeen"];

    // Every listener of a session is a row, written when the floor is granted: one statement for all of them.
    private static Task<int> InsertParticipantsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        IReadOnlyList<ParticipantInsert> rows) =>
        RowBatch.ExecuteAsync(connection, transaction,
            """
            INSERT INTO ptt_participants (session_id, connection_id, user_id, name, app_type, device, joined_at, last_seen)
            VALUES (@SessionId, @ConnectionId, @UserId, @Name, @AppType, @Device, @JoinedAt, @LastSeen)
            ON CONFLICT (session_id, connection_id) DO NOTHING
            """, ParticipantColumns, rows, static (r, i) => i switch
            {
                0 => r.SessionId, 1 => r.ConnectionId, 2 => r.UserId, 3 => r.Name, 4 => r.AppType, 5 => r.Device,
                6 => r.JoinedAt, _ => r.LastSeen,
            });

    /// <summary>Ends a session and its remaining participants if it is still open; returns 1 when it was.</summary>
    internal static async Task<int> EndAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
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
