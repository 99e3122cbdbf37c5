using Dapper;
using Heartline.Ptt.Recordings;

namespace Heartline.Ptt.Recordings
{
    /// <summary>A kept transmission as listed (its Ogg Opus audio is read separately).</summary>
    internal class RecordingRow
    {
        public string SessionId { get; init; } = "";
        public string Office { get; init; } = "";
        public string SpeakerUserId { get; init; } = "";
        public string SpeakerName { get; init; } = "";
        public long StartedAt { get; init; }
        public long DurationMs { get; init; }
        public long Frames { get; init; }
        public long Bytes { get; init; }
    }

    /// <summary>A kept transmission with its audio (one read for the audio endpoint).</summary>
    internal sealed class RecordingAudioRow : RecordingRow
    {
        public byte[] Audio { get; init; } = [];
    }
}

namespace Heartline.Ptt
{
    internal sealed partial class PttStore
    {
        private const string RecordingColumns =
            """
            session_id AS SessionId, office AS Office, speaker_user_id AS SpeakerUserId, speaker_name AS SpeakerName,
            started_at AS StartedAt, duration_ms AS DurationMs, frames AS Frames, bytes AS Bytes
            """;

        /// <summary>Keeps a transmission's Ogg Opus audio (once per session).</summary>
        public void SaveRecording(RecordingRow row, byte[] audio) =>
            writer.Enqueue((connection, transaction) => connection.ExecuteAsync(
                """
                INSERT INTO ptt_recordings (session_id, office, speaker_user_id, speaker_name, started_at, duration_ms, frames, bytes, audio)
                VALUES (@SessionId, @Office, @SpeakerUserId, @SpeakerName, @StartedAt, @DurationMs, @Frames, @Bytes, @Audio)
                ON CONFLICT DO NOTHING
                """, new { row.SessionId, row.Office, row.SpeakerUserId, row.SpeakerName, row.StartedAt, row.DurationMs, row.Frames, row.Bytes, Audio = audio },
                transaction));

        /// <summary>An office's recordings, newest first, started before <paramref name="before"/> (paging) and after <paramref name="since"/>.</summary>
        public Task<IReadOnlyList<RecordingRow>> RecordingsAsync(string office, long? before, long? since, int limit, CancellationToken cancellationToken = default) =>
            database.ReadAsync<IReadOnlyList<RecordingRow>>(async c => [.. await c.QueryAsync<RecordingRow>(new CommandDefinition(
                $"""
                SELECT {RecordingColumns} FROM ptt_recordings
                WHERE office = @Office AND started_at < @Before AND started_at >= @Since
                ORDER BY started_at DESC LIMIT @Limit
                """, new { Office = office, Before = before ?? long.MaxValue, Since = since ?? 0L, Limit = limit },
                cancellationToken: cancellationToken)).ConfigureAwait(false)], cancellationToken);

        /// <summary>One recording with its audio, or null.</summary>
        public Task<RecordingAudioRow?> RecordingAsync(string sessionId, CancellationToken cancellationToken = default) =>
            database.ReadAsync(c => c.QuerySingleOrDefaultAsync<RecordingAudioRow?>(new CommandDefinition(
                $"SELECT {RecordingColumns}, audio AS Audio FROM ptt_recordings WHERE session_id = @SessionId", new { SessionId = sessionId },
                cancellationToken: cancellationToken)), cancellationToken);

        /// <summary>Deletes recordings started before <paramref name="before"/>, and each office's oldest beyond <paramref name="maxBytesPerOffice"/>.</summary>
        public Task<int> PurgeRecordingsAsync(long before, long maxBytesPerOffice, CancellationToken cancellationToken = default) =>
            database.WriteAsync(async (c, tx) =>
            {
                var removed = await c.ExecuteAsync(new CommandDefinition("DELETE FROM ptt_recordings WHERE started_at < @Before",
                    new { Before = before }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
                var over = await c.QueryAsync<string>(new CommandDefinition(
                    "SELECT office FROM ptt_recordings GROUP BY office HAVING SUM(bytes) > @Max", new { Max = maxBytesPerOffice }, tx,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                foreach (var office in over)
                {
                    var rows = await c.QueryAsync<(string SessionId, long Bytes)>(new CommandDefinition(
                        "SELECT session_id, bytes FROM ptt_recordings WHERE office = @Office ORDER BY started_at DESC", new { Office = office }, tx,
                        cancellationToken: cancellationToken)).ConfigureAwait(false);
                    long total = 0;
                    var drop = rows.SkipWhile(r => (total += r.Bytes) <= maxBytesPerOffice).Select(r => r.SessionId).ToArray();
                    removed += await c.ExecuteAsync(new CommandDefinition("DELETE FROM ptt_recordings WHERE session_id IN @Ids",
                        new { Ids = drop }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }
                return removed;
            }, cancellationToken);
    }
}
