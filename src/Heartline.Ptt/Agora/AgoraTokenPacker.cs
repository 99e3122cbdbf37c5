using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Heartline.Ptt.Agora;

/// <summary>Writes the little-endian primitives of Agora's AccessToken2 wire format.</summary>
internal static class AgoraTokenPacker
{
    public static void WriteUInt16(this IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(sizeof(ushort)), value);
        writer.Advance(sizeof(ushort));
    }

    public static void WriteUInt32(this IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(sizeof(uint)), value);
        writer.Advance(sizeof(uint));
    }

    /// <summary>Writes <c>u16 length</c> followed by the bytes.</summary>
    public static void WriteBytes(this IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("A packed field cannot exceed 65535 bytes.", nameof(bytes));
        }

        writer.WriteUInt16((ushort)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Writes a string as UTF-8 with a <c>u16</c> length prefix.</summary>
    public static void WriteString(this IBufferWriter<byte> writer, string value) =>
        writer.WriteBytes(Encoding.UTF8.GetBytes(value));

    /// <summary>Writes <c>u16 count</c> then <c>(u16 key, u32 value)</c> pairs; the caller passes them sorted by key.</summary>
    public static void WriteMap(this IBufferWriter<byte> writer, ReadOnlySpan<KeyValuePair<ushort, uint>> sortedEntries)
    {
        writer.WriteUInt16(checked((ushort)sortedEntries.Length));
        foreach (var (key, value) in sortedEntries)
        {
            writer.WriteUInt16(key);
            writer.WriteUInt32(value);
        }
    }
}
