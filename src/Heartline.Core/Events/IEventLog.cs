namespace Heartline.Core.Events;

/// <summary>
/// The durable event log. Appends are batched by one writer (group commit), so a caller waits at most one batch
/// for its event to reach the disk.
/// </summary>
public interface IEventLog
{
    /// <summary>Completes when the event is committed: acknowledge to a client only after this.</summary>
    Task AppendAsync(EventRecord record, CancellationToken cancellationToken = default);

    /// <summary>Queues the event without waiting; it is committed with the next batch and on shutdown.</summary>
    void Enqueue(EventRecord record);

    Task<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Completes when everything queued before the call is committed.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
