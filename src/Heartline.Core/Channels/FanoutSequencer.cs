using Heartline.Core.Connections;

namespace Heartline.Core.Channels;

/// <summary>
/// One channel's frames on their way to its subscribers, in the order the channel's lock decided them, sent without
/// that lock. Whoever queues a frame while nobody is sending becomes the sender and sends until the queue is empty;
/// anyone queuing meanwhile (another publisher, or a send's own inline continuation publishing again) returns at once
/// and the sender sends theirs next. So a fan-out to thousands of sockets holds no lock that subscribes, reads of the
/// position or other publishers wait for, and every subscriber still gets the channel's frames in offset order.
/// </summary>
/// <remarks>Hand-written: a combining queue of a few lines; a <c>Channel&lt;T&gt;</c> would need a reader task per channel.</remarks>
internal sealed class FanoutSequencer
{
    private readonly Lock _gate = new();
    private readonly Queue<Fanout> _pending = new();
    private bool _sending;

    /// <summary>
    /// Queues <paramref name="frame"/> for <paramref name="recipients"/>. Called under the channel's lock, so the queue
    /// order is the channel's order. True when the caller became the sender and must call <see cref="Send"/> once it
    /// released its locks.
    /// </summary>
    public bool Enqueue(byte[] frame, ClientConnection[] recipients) => Enqueue(new Fanout(frame, recipients, null));

    /// <summary>
    /// A task that completes once every frame queued before it was handed to its recipients (already completed when
    /// nothing is being sent): a subscriber removed under the channel's lock gets nothing more after it.
    /// </summary>
    public Task Barrier()
    {
        lock (_gate)
        {
            if (!_sending) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending.Enqueue(new Fanout(null, [], done));
            return done.Task;
        }
    }

    /// <summary>Sends queued frames, oldest first, until none is left; only the caller <see cref="Enqueue(byte[], ClientConnection[])"/> chose.</summary>
    public void Send()
    {
        var finished = false;
        try
        {
            while (true)
            {
                Fanout next;
                lock (_gate)
                {
                    if (!_pending.TryDequeue(out next))
                    {
                        _sending = false;
                        finished = true;
                        return;
                    }
                }
                if (next.Frame is { } frame)
                {
                    foreach (var recipient in next.Recipients) recipient.Send(frame);
                }
                next.Done?.TrySetResult();
            }
        }
        finally
        {
            // Send does not throw; should it ever, the next publisher sends what is left rather than nobody.
            if (!finished)
            {
                lock (_gate) _sending = false;
            }
        }
    }

    private bool Enqueue(Fanout fanout)
    {
        lock (_gate)
        {
            _pending.Enqueue(fanout);
            if (_sending) return false;
            _sending = true;
            return true;
        }
    }

    private readonly record struct Fanout(byte[]? Frame, ClientConnection[] Recipients, TaskCompletionSource? Done);
}
