namespace Heartline.Core.Connections;

/// <summary>
/// One queued outbound message. Text frames are shared between recipients (serialize once, send many); media frames
/// are droppable: a listener that falls behind loses stale audio instead of delaying everything behind it.
/// </summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Data, bool Binary, long EnqueuedAt)
{
    public bool Droppable => Binary;
}
