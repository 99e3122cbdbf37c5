using Heartline.Core.Connections;

namespace Heartline.Core.Channels;

/// <summary>One entry of a channel's history: the finished <c>pub</c> frame, shared by every recipient.</summary>
internal readonly record struct HistoryEntry(long Offset, long TimeMs, byte[] Frame);

/// <summary>
/// A channel's subscribers, offset and history. Every mutation happens under <see cref="Lock"/>, and every frame for the
/// subscribers is queued to <see cref="Fanout"/> under it, so offsets, history and the order of frames in each
/// subscriber's queue always agree; the sending itself happens after the lock is released.
/// </summary>
internal sealed class ChannelState(string name)
{
    public Lock Lock { get; } = new();

    public string Name { get; } = name;

    /// <summary>Read from the broker when the channel is first followed.</summary>
    public string Epoch { get; set; } = "";

    /// <summary>The latest offset delivered here; 0 before the first publication.</summary>
    public long Offset { get; set; }

    /// <summary>Copy-on-write so fan-out iterates a stable array without allocating.</summary>
    public ClientConnection[] Subscribers { get; set; } = [];

    public Queue<HistoryEntry> History { get; } = new();

    /// <summary>Frames decided under <see cref="Lock"/> and sent to the subscribers without it, in that order.</summary>
    public FanoutSequencer Fanout { get; } = new();

    /// <summary>Bytes of the frames in <see cref="History"/>; changed only through the hub's history methods.</summary>
    public long HistoryBytes { get; set; }

    /// <summary>Unix ms of the last publish or subscription change, for evicting idle channels.</summary>
    public long LastActivityMs { get; set; }

    /// <summary>Set under the lock when the sweeper evicted the channel; a racing caller then retries.</summary>
    public bool Evicted { get; set; }

    /// <summary>Completes once <see cref="Epoch"/> and <see cref="Offset"/> were read from the broker.</summary>
    public Task? Ready { get; set; }

    /// <summary>Set under the lock once <see cref="Epoch"/> and <see cref="Offset"/> come from the broker.</summary>
    public bool Followed { get; set; }

    /// <summary>A wake-up came before <see cref="Followed"/>; read the broker once it is.</summary>
    public bool WokenEarly { get; set; }

    /// <summary>1 while a delivery is queued with the broker, so wake-ups for one channel coalesce.</summary>
    public int DeliveryQueued;
}
