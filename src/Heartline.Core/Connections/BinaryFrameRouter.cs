using System.Collections.Frozen;

namespace Heartline.Core.Connections;

/// <summary>Routes a binary frame by its first byte to the one module that registered that kind.</summary>
internal sealed class BinaryFrameRouter
{
    private readonly FrozenDictionary<byte, IBinaryFrameHandler> _handlers;

    public BinaryFrameRouter(IEnumerable<IBinaryFrameHandler> handlers)
    {
        var byKind = new Dictionary<byte, IBinaryFrameHandler>();
        foreach (var handler in handlers)
        {
            if (!byKind.TryAdd(handler.Kind, handler))
            {
                throw new InvalidOperationException(
                    $"Binary frame kind 0x{handler.Kind:x2} is registered by both {byKind[handler.Kind].GetType().Name} and {handler.GetType().Name}.");
            }
        }
        _handlers = byKind.ToFrozenDictionary();
    }

    /// <summary>The handler of the frame's kind; false for an empty frame or a kind nobody registered.</summary>
    public bool TryGet(ReadOnlySpan<byte> frame, out IBinaryFrameHandler handler)
    {
        handler = null!;
        return frame.Length > 0 && _handlers.TryGetValue(frame[0], out handler!);
    }
}
