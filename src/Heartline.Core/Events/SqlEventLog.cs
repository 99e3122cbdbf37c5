using System.Threading.Channels;
using Heartline.Core.Storage;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Events;

/// <summary>Receives the commit time of each event-log batch, in milliseconds.</summary>
internal delegate void EventLogWriteCallback(double milliseconds);

/// <summary>
/// The event log on <see cref="IHeartlineDatabase"/> with group commit: callers queue events, one writer loop
/// commits whatever is queued in a single transaction and then completes their tasks. It starts before the other
/// hosted services and drains after they stopped, so a graceful shutdown loses nothing.
/// </summary>
internal sealed partial class SqlEventLog : IEventLog, IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>
    /// Queued events beyond which <see cref="AppendAsync"/> waits and <see cref="Enqueue"/> drops (logged), so a
    /// stalled database cannot exhaust memory: 32 batches of the default size.
    /// </summary>
    internal const int QueueCapacity = 16_384;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly IHeartlineDatabase _database;
    private readonly Polly.ResiliencePipeline _retry;
    private readonly TimeProvider _time;
    private readonly EventLogWriteCallback _recordWriteMs;
    private readonly ILogger<SqlEventLog> _logger;
    private readonly int _batchSize;
    private readonly Lock _startLock = new();
    private Task? _writer;
    private long _batchesWritten;

    public SqlEventLog(
        IHeartlineDatabase database, IOptions<StorageOptions> options, TimeProvider time,
        EventLogWriteCallback recordWriteMs, ILogger<SqlEventLog> logger)
    {
        _database = database;
        _time = time;
        _retry = TransientRetry.Create(time, (ex, attempt) => Log.BatchRetrying(logger, attempt, ex));
        _recordWriteMs = recordWriteMs;
        _logger = logger;
        _batchSize = options.Value.EventBatchSize;
    }

    /// <summary>Transactions committed by the writer; fewer than the events written when batching works.</summary>
    internal long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    public async Task AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(record, committed), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException("The event log has stopped; the event was not stored.", ex);
        }
        // A caller that stops waiting does not withdraw the event: it may still be committed.
        await committed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Enqueue(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_queue.Writer.TryWrite(new Pending(record, null)))
            Log.EventDropped(_logger, record.Type, record.Scope);
    }

    /// <remarks>Throws the database's error when the batch it waited for failed.</remarks>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        // A marker behind everything queued so far: the writer completes it once the batch holding it commits.
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(null, reached), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Stopping: the writer commits what is queued and then ends.
            await StartWriter().WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the writer before any hosted service starts, so startup work can append events.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        StartWriter();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After every hosted service stopped (and so queued its last events): stops taking events and waits (until the
    /// host's shutdown timeout) for the queue to be committed.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await StartWriter().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DrainAbandoned(_logger, _queue.Reader.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await StartWriter().ConfigureAwait(false);
    }

    /// <summary>Starts the writer once; stopping also starts it, so events queued before a failed start still drain.</summary>
    private Task StartWriter()
    {
        lock (_startLock)
            return _writer ??= Task.Run(WriteLoopAsync);
    }

    /// <summary>An event to store (<see cref="Record"/>) and/or a task to complete once the batch holding it commits.</summary>
    private readonly record struct Pending(EventRecord? Record, TaskCompletionSource? Done);
}
