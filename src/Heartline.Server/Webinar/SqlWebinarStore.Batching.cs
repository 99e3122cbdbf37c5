using System.Threading.Channels;
using Heartline.Server.Storage;

namespace Heartline.Server.Webinar;

internal sealed partial class SqlWebinarStore : IAsyncDisposable, IDisposable
{
    /// <summary>Most heartbeats committed in one transaction.</summary>
    internal const int MaxBatch = 128;

    /// <summary>
    /// Heartbeats queued at most; beyond that callers get <see cref="WebinarOverloadedException"/> (503 unavailable:
    /// a heartbeat is retried at the next interval anyway) rather than memory growing without bound.
    /// </summary>
    internal const int QueueCapacity = 8192;

    // Unbounded in the channel's terms, bounded by _queued: the single-reader unbounded channel takes no lock on the
    // enqueue path, which a bounded channel does (measured as lock contention with many concurrent pings).
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true });
    private int _queued;
    private readonly Lock _startLock = new();
    private Task? _writer;

    /// <summary>A heartbeat-path write, applied inside a batch transaction; webinars are read once per batch.</summary>
    private sealed record PendingWrite(
        Func<HeartbeatBatch, Task<object?>> Apply,
        TaskCompletionSource<object?> Done);

    /// <summary>
    /// Queues <paramref name="apply"/> for the write loop, which commits whatever is queued in one transaction (group
    /// commit): one SQLite write lock and one commit for many pings instead of one each; on PostgreSQL one commit (and
    /// WAL flush) per batch.
    /// </summary>
    private async Task<T> EnqueueAsync<T>(
        Func<HeartbeatBatch, Task<T>> apply, CancellationToken cancellationToken)
    {
        EnsureWriter();
        var pending = new PendingWrite(async batch => await apply(batch).ConfigureAwait(false),
            new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Interlocked.Increment(ref _queued) > QueueCapacity)
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
            var results = await database.WriteAsync(async (c, tx) =>
            {
                await using var context = new HeartbeatBatch(c, tx, database.Provider == StorageProviders.Postgres);
                var results = new object?[batch.Count];
                for (var i = 0; i < batch.Count; i++) results[i] = await batch[i].Apply(context).ConfigureAwait(false);
                return results;
            }).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One failing write must not fail its neighbours: apply each on its own to find out which.
            foreach (var item in batch)
            {
                try
                {
                    item.Done.TrySetResult(await database.WriteAsync(async (c, tx) =>
                    {
                        await using var context = new HeartbeatBatch(c, tx, database.Provider == StorageProviders.Postgres);
                        return await item.Apply(context).ConfigureAwait(false);
                    }).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    item.Done.TrySetException(ex);
                }
            }
        }
        catch (Exception ex)
        {
            batch[0].Done.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        Task? writer;
        lock (_startLock) writer = _writer;
        // Queued heartbeats are committed before the database closes.
        if (writer is not null) await writer.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
