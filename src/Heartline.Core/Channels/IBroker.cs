namespace Heartline.Core.Channels;

/// <summary>
/// A publication as a broker keeps it: its offset in the channel, its time (Unix ms) and its raw JSON data.
/// <paramref name="Kept"/> is false when the broker delivers it live only (its history budget was spent): then no node
/// keeps it for recovery either.
/// </summary>
internal readonly record struct LoggedPublication(long Offset, long Time, byte[] Data, bool Kept = true);

/// <summary>
/// Numbers, keeps and delivers the publications of channels, after Centrifuge's broker: in process on one node
/// (<see cref="MemoryBroker"/>) or shared by the nodes of a cluster (<c>PostgresBroker</c>). The
/// <see cref="ChannelHub"/> follows the channels this node's clients subscribe to and fans out what the broker delivers
/// to it, in offset order; history and recovery read the broker, so they work alike in both modes.
/// </summary>
internal interface IBroker
{
    /// <summary>Called once by the hub the broker delivers to.</summary>
    void Attach(ChannelHub hub);

    /// <summary>Queues a publication without waiting; one node's publications reach the broker in order.</summary>
    void Enqueue(string channel, byte[] data);

    /// <summary>Appends in the same order as <see cref="Enqueue"/> and completes once stored, with the position.</summary>
    ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken);

    /// <summary>The channel's epoch and last offset, creating the channel (offset 0) when it has none.</summary>
    ValueTask<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken);

    /// <summary>The kept publications with offsets in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    ValueTask<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken);

    /// <summary>Asks for the publications after the channel's delivered offset to be read and delivered (soon, in order).</summary>
    void RequestDelivery(ChannelState state);

    /// <summary>Completes once every publication queued before the call was stored and handed to local subscribers.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Drops history past its age and size; returns how many publications went.</summary>
    Task<int> TrimAsync(CancellationToken cancellationToken);
}
