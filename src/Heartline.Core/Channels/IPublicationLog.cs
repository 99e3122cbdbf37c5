using Heartline.Core.Connections;

namespace Heartline.Core.Channels;

/// <summary>A publication as a shared log stores it: its offset in the channel, its time and its raw JSON data.</summary>
internal readonly record struct LoggedPublication(long Offset, long Time, byte[] Data);

/// <summary>
/// A publication log shared by several nodes (a cluster). With one, the log numbers publications and keeps history,
/// and <see cref="ChannelHub"/> only fans out what the log delivers to this node's subscribers. Without one (a single
/// node, the default), the hub numbers and keeps them itself in process.
/// </summary>
internal interface IPublicationLog
{
    /// <summary>Called once by the hub the log delivers to.</summary>
    void Attach(ChannelHub hub);

    /// <summary>Queues a publication without waiting; publications queued by one node reach the log in order.</summary>
    void Enqueue(string channel, byte[] data);

    /// <summary>Appends in the same order as <see cref="Enqueue"/> and completes once durable, with the position.</summary>
    ValueTask<StreamPosition> AppendAsync(string channel, byte[] data, CancellationToken cancellationToken);

    /// <summary>The channel's epoch and last offset, creating the channel (offset 0) when it has none.</summary>
    Task<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken);

    /// <summary>The stored publications with offsets in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    Task<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken);

    /// <summary>Asks for the publications after the channel's offset to be read and delivered (soon, in order).</summary>
    void RequestDelivery(ChannelState state);
}
