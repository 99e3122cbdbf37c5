using System.Buffers.Binary;
using System.Text;
using Heartline.Core.Cluster;

namespace Heartline.Core.Channels;

/// <summary>
/// A channel signal from a peer node, delivered to this node's subscribers. The payload is <c>[2 bytes channel length,
/// big-endian][channel UTF-8][the signal frame unchanged]</c>, so the frame is built once on the sending node.
/// </summary>
internal sealed class ChannelSignalPeer(ChannelHub hub) : IPeerMessageHandler
{
    /// <summary>Peer message kinds from 0xF0 up are the core's; modules use lower ones.</summary>
    public const byte MessageKind = 0xF0;

    public byte Kind => MessageKind;

    public void OnMessage(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < 3) return;
        var length = BinaryPrimitives.ReadUInt16BigEndian(span);
        if (span.Length <= 2 + length) return;
        var channel = Encoding.UTF8.GetString(span.Slice(2, length));
        hub.DeliverSignal(channel, span[(2 + length)..].ToArray());
    }

    public static byte[] Message(string channel, ReadOnlySpan<byte> frame)
    {
        var length = Encoding.UTF8.GetByteCount(channel);
        var message = new byte[2 + length + frame.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)length);
        Encoding.UTF8.GetBytes(channel, message.AsSpan(2));
        frame.CopyTo(message.AsSpan(2 + length));
        return message;
    }
}
