using System.Threading.Channels;
using Heartline.Core.Channels;
using Npgsql;

namespace Heartline.Core.Cluster;

internal sealed partial class PostgresBroker
{
    private const int OutboxCapacity = 65_536;

    private readonly Channel<(PendingPublication Publication, TaskCompletionSource<StreamPosition>? Done)> _outbox =
        Channel.CreateBounded<(PendingPublication, TaskCompletionSource<StreamPosition>?)>(
            new BoundedChannelOptions(OutboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Task? _outboxLoop;

    // Opening a connection is retried while the database restarts or fails over: nothing was written yet, so it is
    // safe. A failure after the batch was sent is not retried, since it may have committed (a publication twice).
    private Polly.ResiliencePipeline? _openRetry;

    private Polly.ResiliencePipeline OpenRetry => _openRetry ??=
        Storage.TransientRetry.Create(time, (ex, attempt) => Log.OpenRetrying(logger, ex, attempt));

    public void Enqueue(string channel, byte[] data)
    {
        if (!_outbox.Writer.TryWrite((new PendingPublication(channel, data, NowMs()), null))) Log.OutboxFull(logger, channel);
    }

    public async ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<StreamPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _outbox.Writer.WriteAsync((new PendingPublication(channel, data, NowMs()), done), cancellationToken).ConfigureAwait(false);
        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes once every publication queued before the call was written and handed to this node's subscribers
    /// (a barrier in the outbox: a default publication, which the writer completes after the batch before it).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<StreamPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_outbox.Writer.TryWrite((default, done))) return;
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One writer per node: whatever is queued goes out in one round trip, so this node's publications keep their
    /// order and a burst costs one transaction, not one each.
    /// </summary>
    private Task RunOutboxAsync() => _outboxLoop = Task.Run(async () =>
    {
        var reader = _outbox.Reader;
        var batchSize = options.Value.PublishBatchSize;
        var batch = new List<(PendingPublication Publication, TaskCompletionSource<StreamPosition>? Done)>(batchSize);
        // Not bound to the stopping token: the loop ends when StopAsync completes the queue and it is drained.
        var barriers = new List<TaskCompletionSource<StreamPosition>>();
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < batchSize && reader.TryRead(out var item))
            {
                if (item.Publication.Channel is null) barriers.Add(item.Done!);
                else batch.Add(item);
            }
            if (batch.Count > 0) await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
            foreach (var barrier in barriers) barrier.TrySetResult(default);
            barriers.Clear();
        }
    });

    private async Task WriteBatchAsync(List<(PendingPublication Publication, TaskCompletionSource<StreamPosition>? Done)> batch)
    {
        // Head rows are locked in channel order by every writer, so two nodes' batches never deadlock; the stable sort
        // keeps each channel's own order.
        var ordered = batch.Count == 1 ? batch : [.. batch.OrderBy(b => b.Publication.Channel, StringComparer.Ordinal)];
        var publications = ordered.ConvertAll(b => b.Publication);
        StreamPosition[]? positions = null;
        for (var attempt = 1; positions is null; attempt++)
        {
            try
            {
                await using var connection = await OpenRetry.ExecuteAsync(
                    static async (source, token) => await source.OpenConnectionAsync(token).ConfigureAwait(false),
                    database.DataSource).ConfigureAwait(false);
                positions = await WriteAsync(connection, null, publications, CancellationToken.None).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                               && attempt < 3)
            {
                // Rolled back for certain: safe to write again.
            }
            catch (Exception ex)
            {
                Log.WriteFailed(logger, ex, ordered.Count);
                foreach (var item in ordered) item.Done?.TrySetException(ex);
                return;
            }
        }
        for (var i = 0; i < ordered.Count; i++)
        {
            Committed(ordered[i].Publication, positions[i].Offset);
            ordered[i].Done?.TrySetResult(positions[i]);
        }
    }
}
