using System.Data.Common;
using System.Threading.Channels;
using Polly;

namespace Heartline.Core.Storage;

/// <summary>
/// Runs writes in the order they were queued, many per transaction, off the caller's path: engines record state
/// without waiting for the disk. Stopping drains the queue. A batch that fails for a passing reason is retried
/// (<see cref="TransientRetry"/>), later batches waiting behind it so the order holds; one that still fails is logged
/// (a server fault) and dropped.
/// </summary>
public sealed partial class BackgroundWriter(IHeartlineDatabase database, TimeProvider time, ILogger<BackgroundWriter> logger)
    : IHostedLifecycleService
{
    private Task? _loop;

    private const int BatchSize = 256;
    private readonly ResiliencePipeline _retry = TransientRetry.Create(time, (ex, attempt) => Log.Retrying(logger, ex, attempt));
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });

    private readonly record struct Item(Func<DbConnection, DbTransaction, Task>? Write, TaskCompletionSource? Flushed);

    public void Enqueue(Func<DbConnection, DbTransaction, Task> write)
    {
        if (!_queue.Writer.TryWrite(new Item(write, null))) Log.Refused(logger);
    }

    /// <summary>Completes when every write queued before the call has been committed (or failed).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item(null, done))) return Task.CompletedTask;
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Starts before every other hosted service, so their startup work can write (and flush) through it.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => StartingAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every hosted service stopped: commits what they queued, then ends.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await (_loop ?? Task.CompletedTask).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var writes = new List<Func<DbConnection, DbTransaction, Task>>(BatchSize);
        var flushes = new List<TaskCompletionSource>();
        // The loop ends when StoppedAsync completes the queue and it is drained.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (writes.Count < BatchSize && reader.TryRead(out var item))
            {
                if (item.Write is not null) writes.Add(item.Write);
                if (item.Flushed is null) continue;
                flushes.Add(item.Flushed);
                // A flush waits for what was queued before it, not for what came after: the batch ends here (a press
                // reply waits for its session row, not for the 500 listener rows queued behind it).
                if (writes.Count > 0) break;
            }
            if (writes.Count > 0)
            {
                try
                {
                    await _retry.ExecuteAsync(async token => await database.WriteAsync(async (connection, transaction) =>
                    {
                        foreach (var write in writes) await write(connection, transaction).ConfigureAwait(false);
                        return 0;
                    }, token).ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.BatchFailed(logger, ex, writes.Count);
                }
            }
            foreach (var flushed in flushes) flushed.TrySetResult();
            writes.Clear();
            flushes.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Error, "A batch of {Count} background writes failed and was dropped.")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(2202, LogLevel.Warning, "A background write was refused because the writer has stopped.")]
        public static partial void Refused(ILogger logger);

        [LoggerMessage(2203, LogLevel.Warning, "A batch of background writes failed for a passing reason; retry {Attempt} follows.")]
        public static partial void Retrying(ILogger logger, Exception exception, int attempt);
    }
}
