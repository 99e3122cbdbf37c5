using System.Data.Common;
using System.Threading.Channels;
using Heartline.Core.Storage;
using Npgsql;

namespace Heartline.Webinar;

internal sealed partial class SqlWebinarStore : IAsyncDisposable, IDisposable
{
    /// <summary>Most heartbeats committed in one transaction.</summary>
    internal const int MaxBatch = 128;

    /// <summary>
    /// Heartbeats queued at most; beyond that callers get <see cref="WebinarOverloadedException"/> (503 unavailable:
    /// a heartbeat is retried at the next interval anyway) rather than memory growing without bound.
    /// </summary>
    internal const int QueueCapacity = 8192;

    /// <summary>
    /// Room above <see cref="QueueCapacity"/> that only exits may use: an exit comes from navigator.sendBeacon, which
    /// never retries, and a lost exit leaves the session to the sweeper (closed at its last heartbeat).
    /// </summary>
    internal const int ExitHeadroom = 2048;

    // Unbounded in the channel's terms, bounded by _queued: the single-reader unbounded channel takes no lock on the
    // enqueue path, which a bounded channel does (measured as lock contention with many concurrent pings).
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true });
    private int _queued;
    private readonly Lock _startLock = new();
    // SQLite: the writer connection's compiled heartbeat statements, used under the database's write lock only.
    private readonly KeptCommands _keptCommands = new();
    private Task? _writer;

    /// <summary>
    /// A queued heartbeat-path write: a session change (<see cref="Decide"/> set) or a presence-only ping
    /// (<see cref="Accept"/> set). Its result is a <see cref="SessionChangeResult"/> or the webinar, respectively.
    /// </summary>
    private sealed record PendingWrite(string WebinarId, string SessionKey, PresenceUpdate Presence, SessionDecider? Decide,
        Func<WebinarRecord, bool>? Accept)
    {
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Queues <paramref name="pending"/> for the write loop, which commits whatever is queued in one transaction (group
    /// commit): one SQLite write lock and one commit for many pings instead of one each; on PostgreSQL one commit (and
    /// WAL flush) and three round trips per batch.
    /// </summary>
    private async Task<T> EnqueueAsync<T>(PendingWrite pending, int limit, CancellationToken cancellationToken)
    {
        EnsureWriter();
        if (Interlocked.Increment(ref _queued) > limit)
        {
            Interlocked.Decrement(ref _queued);
            throw new WebinarOverloadedException();
        }
        if (!_writes.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(SqlWebinarStore));
        }
        // Once queued the write goes ahead even if the caller gives up; only the wait is cancelled.
        return (T)(await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private void EnsureWriter()
    {
        if (_writer is not null) return;
        lock (_startLock) _writer ??= Task.Run(WriteLoopAsync);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var item)) batch.Add(item);
            Interlocked.Add(ref _queued, -batch.Count);
            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>Commits a batch, then completes its waiters. Never throws.</summary>
    private async Task CommitAsync(List<PendingWrite> batch)
    {
        try
        {
            var results = await database.WriteAsync((c, tx) => database.Provider == StorageProviders.Postgres
                ? ApplyBulkAsync((NpgsqlConnection)c, (NpgsqlTransaction)tx, batch)
                : ApplyEachAsync(c, tx, batch)).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (Exception ex)
        {
            WebinarLog.BatchFailed(logger, batch.Count, ex);
            // One failing write (or, on PostgreSQL, a key inserted by another node meanwhile, or a deadlock between
            // nodes) must not fail its neighbours: apply each on its own, with the one-at-a-time path.
            foreach (var item in batch)
            {
                try
                {
                    item.Done.TrySetResult((await database.WriteAsync((c, tx) => ApplyEachAsync(c, tx, [item])).ConfigureAwait(false))[0]);
                }
                catch (Exception error)
                {
                    item.Done.TrySetException(error);
                }
            }
        }
    }

    /// <summary>One write after another on reused commands (SQLite: in-process, so round trips cost nothing).</summary>
    private async Task<object?[]> ApplyEachAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<PendingWrite> batch)
    {
        var postgres = database.Provider == StorageProviders.Postgres;
        await using var context = new HeartbeatBatch(connection, transaction, postgres, postgres ? null : _keptCommands);
        var results = new object?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
            results[i] = batch[i].Decide is { } decide
                ? await ChangeOneAsync(context, batch[i].WebinarId, batch[i].SessionKey, batch[i].Presence, decide).ConfigureAwait(false)
                : await TouchOneAsync(context, batch[i].WebinarId, batch[i].Presence, batch[i].Accept!).ConfigureAwait(false);
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        Task? writer;
        lock (_startLock) writer = _writer;
        // Queued heartbeats are committed before the database closes.
        if (writer is not null) await writer.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _keptCommands.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
