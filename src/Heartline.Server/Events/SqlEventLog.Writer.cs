using Dapper;

namespace Heartline.Server.Events;

internal sealed partial class SqlEventLog
{
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
                // Dapper runs one command per row, rebinding its parameters; inside one transaction that is one
                // commit (one fsync on SQLite) per batch, and it is the same SQL on both engines.
                await _database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
                    """
                    INSERT INTO events (type, scope, session_id, user_id, time, metadata)
                    VALUES (@Type, @Scope, @SessionId, @UserId, @Time, @Metadata)
                    """, records, transaction)).ConfigureAwait(false);
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
