using System.Buffers.Binary;
using System.Text;

namespace Heartline.Ptt.Recordings;

/// <summary>
/// Writes Opus packets as they were relayed into an Ogg Opus file (RFC 7845; Ogg pages per RFC 3533), so any player
/// opens a recording. Hand-written because the libraries on hand (Concentus.OggFile) encode PCM; none pages packets
/// that are already encoded. Mono, 48 kHz, 20 ms per packet (the relay's frames); the pre-skip is libopus's lookahead
/// at 48 kHz (312 samples, 6.5 ms), which the browsers' WebCodecs encoders (libopus) add at the start.
/// </summary>
internal static class OggOpus
{
    public const int SamplesPerPacket = 960;
    public const ushort PreSkip = 312;
    private const int PacketsPerPage = 50;
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] Write(IReadOnlyList<byte[]> packets, uint serial)
    {
        using var output = new MemoryStream();
        var sequence = 0u;
        WritePage(output, serial, sequence++, 0, 0x02, [Head()]);
        WritePage(output, serial, sequence++, 0, 0x00, [Tags()]);
        long granule = 0;
        var page = new List<byte[]>();
        var segments = 0;
        for (var i = 0; i < packets.Count; i++)
        {
            // A page holds at most 255 lacing values: a packet of n bytes takes n / 255 + 1 of them.
            var needed = packets[i].Length / 255 + 1;
            if (page.Count == PacketsPerPage || segments + needed > 255)
            {
                WritePage(output, serial, sequence++, granule, 0x00, [.. page]);
                page.Clear();
                segments = 0;
            }
            page.Add(packets[i]);
            segments += needed;
            granule += SamplesPerPacket;
        }
        if (page.Count > 0) WritePage(output, serial, sequence++, granule, 0x04, [.. page]);
        if (packets.Count == 0) WritePage(output, serial, sequence, 0, 0x04, []);
        return output.ToArray();
    }

    /// <summary>The duration of <paramref name="packets"/> packets in milliseconds.</summary>
    public static long DurationMs(int packets) => packets * (long)SamplesPerPacket / 48;

    private static byte[] Head()
    {
        var head = new byte[19];
        Encoding.ASCII.GetBytes("OpusHead").CopyTo(head, 0);
        head[8] = 1; // version
        head[9] = 1; // channels
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), PreSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48000); // input sample rate
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(16), 0); // output gain
        head[18] = 0; // channel mapping family
        return head;
    }

    private static byte[] Tags()
    {
        var vendor = Encoding.UTF8.GetBytes("Heartline push-to-talk relay");
        var tags = new byte[8 + 4 + vendor.Length + 4];
        Encoding.ASCII.GetBytes("OpusTags").CopyTo(tags, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        vendor.CopyTo(tags, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(12 + vendor.Length), 0); // no user comments
        return tags;
    }

    private static void WritePage(MemoryStream output, uint serial, uint sequence, long granule, byte flags, byte[][] packets)
    {
        var lacing = new List<byte>();
        foreach (var packet in packets)
        {
            var length = packet.Length;
            while (length >= 255)
            {
                lacing.Add(255);
                length -= 255;
            }
            lacing.Add((byte)length);
        }
        var header = new byte[27 + lacing.Count];
        Encoding.ASCII.GetBytes("OggS").CopyTo(header, 0);
        header[4] = 0;
        header[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(18), sequence);
        header[26] = (byte)lacing.Count;
        lacing.CopyTo(header, 27);
        var page = header.Concat(packets.SelectMany(p => p)).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Crc(page));
        output.Write(page);
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, no final xor.</summary>
    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0u;
        foreach (var b in data) crc = (crc << 8) ^ CrcTable[((crc >> 24) ^ b) & 0xFF];
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var r = i << 24;
            for (var j = 0; j < 8; j++) r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            table[i] = r;
        }
        return table;
    }
}
