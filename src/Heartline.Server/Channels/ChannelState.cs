using Heartline.Server.Connections;

namespace Heartline.Server.Channels;

/// <summary>One entry of a channel's history: the finished <c>pub</c> frame, shared by every recipient.</summary>
internal readonly record struct HistoryEntry(long Offset, long TimeMs, byte[] Frame);

/// <summary>
/// A channel's subscribers, offset and history. Every mutation happens under <see cref="Lock"/>, so offsets, history
/// and the order of frames in each subscriber's queue always agree.
/// </summary>
internal sealed class ChannelState(string name, string epoch)
{
    public Lock Lock { get; } = new();

    public string Name { get; } = name;

    public string Epoch { get; } = epoch;

    /// <summary>The latest offset; 0 before the first publication of this epoch.</summary>
    public long Offset { get; set; }

    /// <summary>Copy-on-write so fan-out iterates a stable array without allocating.</summary>
    public ClientConnection[] Subscribers { get; set; } = [];

    public Queue<HistoryEntry> History { get; } = new();

    /// <summary>Unix ms of the last publish or subscription change, for evicting idle channels.</summary>
    public long LastActivityMs { get; set; }

    /// <summary>Set under the lock when the sweeper evicted the channel; a racing caller then retries.</summary>
    public bool Evicted { get; set; }
}
