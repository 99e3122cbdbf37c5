using System.Buffers.Binary;

namespace Heartline.Ptt.Agora;

/// <summary>
/// Reads the little-endian primitives of Agora's AccessToken2 wire format. Every read reports truncation
/// instead of throwing, because tokens handed to the parser come from outside and may be damaged.
/// </summary>
internal ref struct AgoraTokenReader(ReadOnlySpan<byte> buffer)
{
    private ReadOnlySpan<byte> _remaining = buffer;

    public readonly ReadOnlySpan<byte> Remaining => _remaining;

    public bool TryReadUInt16(out ushort value)
    {
        if (!BinaryPrimitives.TryReadUInt16LittleEndian(_remaining, out value))
        {
            return false;
        }

        _remaining = _remaining[sizeof(ushort)..];
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!BinaryPrimitives.TryReadUInt32LittleEndian(_remaining, out value))
        {
            return false;
        }

        _remaining = _remaining[sizeof(uint)..];
        return true;
    }

    /// <summary>Reads a <c>u16</c> length prefix and that many bytes.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!TryReadUInt16(out var length) || _remaining.Length < length)
        {
            return false;
        }

        bytes = _remaining[..length];
        _remaining = _remaining[length..];
        return true;
    }
}
