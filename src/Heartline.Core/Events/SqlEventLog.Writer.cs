using Heartline.Core.Storage;

namespace Heartline.Core.Events;

internal sealed partial class SqlEventLog
{
    private const string InsertSql =
        """
        INSERT INTO events (type, scope, session_id, user_id, time, metadata)
        VALUES (@Type, @Scope, @SessionId, @UserId, @Time, @Metadata)
        """;

    private static readonly string[] InsertColumns = ["Type", "Scope", "SessionId", "UserId", "Time", "Metadata"];

    /// <summary>
    /// PostgreSQL, several nodes: the lock every event batch takes before taking ids, held until it commits. Ids then
    /// follow commit order across nodes, so a reader paging with <c>after</c> never passes an id whose batch commits
    /// later (without it, node A's ids 100–150 could commit after node B's 151–160 and be skipped for good).
    /// </summary>
    internal const long IdOrderLockKey = 0x484C_4556_5449_4453; // "HLEVTIDS"

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_batchSize);
        var records = new List<EventRecord>(_batchSize);
        // Ends once the queue is completed (stop or dispose) and empty, so everything queued is committed first.
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (records.Count < _batchSize && reader.TryRead(out var item))
            {
                batch.Add(item);
                if (item.Record is not null)
                    records.Add(item.Record);
                // A flush marker ends the batch: its waiter needs what was queued before it, not what came after.
                else if (records.Count > 0)
                    break;
            }
            await CommitAsync(batch, records).ConfigureAwait(false);
            batch.Clear();
            records.Clear();
        }
    }

    /// <summary>Writes the batch's events in one transaction, then completes its waiters. Never throws.</summary>
    private async Task CommitAsync(List<Pending> batch, List<EventRecord> records)
    {
        Exception? failure = null;
        if (records.Count > 0)
        {
            var started = _time.GetTimestamp();
            try
            {
                // One commit (one fsync on SQLite) per batch; the rows through one compiled statement (SQLite) or one
                // round trip (PostgreSQL).
                // A failure that passes (a busy file, a database restart) is retried before the batch is given up.
                await _retry.ExecuteAsync(async token => await _database.WriteAsync(async (connection, transaction) =>
                {
                    if (connection is Npgsql.NpgsqlConnection)
                    {
                        await Dapper.SqlMapper.ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(@Key)",
                            new { Key = IdOrderLockKey }, transaction).ConfigureAwait(false);
                    }
                    return await RowBatch.ExecuteAsync(connection, transaction, InsertSql, InsertColumns, records,
                        static (r, i) => i switch
                        {
                            0 => r.Type, 1 => r.Scope, 2 => r.SessionId, 3 => r.UserId, 4 => r.Time, _ => r.Metadata,
                        }).ConfigureAwait(false);
                }, token).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
                Log.BatchFailed(_logger, records.Count, ex);
            }

            if (failure is null)
            {
                var elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Increment(ref _batchesWritten);
                _recordWriteMs(elapsedMs);
                Log.BatchWritten(_logger, records.Count, elapsedMs);
            }
        }

        foreach (var item in batch)
        {
            if (failure is null)
                item.Done?.TrySetResult();
            else
                item.Done?.TrySetException(failure);
        }
    }
}
