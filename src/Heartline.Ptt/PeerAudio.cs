using System.Text;
using Heartline.Core.Cluster;

namespace Heartline.Ptt;

/// <summary>
/// Relayed audio between nodes: a speaker's node forwards each frame to every peer (the core's peer links), each peer
/// hands it to its own listeners of the office. The payload is <c>[1 byte office length][office UTF-8][the audio frame
/// unchanged]</c>.
/// </summary>
internal sealed class PeerAudio(FloorControl floors) : IPeerMessageHandler
{
    /// <summary>The peer message kind of relayed PTT audio.</summary>
    public const byte MessageKind = 0x01;

    public byte Kind => MessageKind;

    public void OnMessage(ReadOnlyMemory<byte> payload)
    {
        if (TryParse(payload, out var office, out var frame)) floors.OnPeerAudio(office, frame);
    }

    public static byte[] Message(string office, ReadOnlySpan<byte> frame)
    {
        var officeBytes = Encoding.UTF8.GetBytes(office);
        if (officeBytes.Length > byte.MaxValue) throw new ArgumentException("office key too long", nameof(office));
        var message = new byte[1 + officeBytes.Length + frame.Length];
        message[0] = (byte)officeBytes.Length;
        officeBytes.CopyTo(message.AsSpan(1));
        frame.CopyTo(message.AsSpan(1 + officeBytes.Length));
        return message;
    }

    public static bool TryParse(ReadOnlyMemory<byte> message, out string office, out ReadOnlyMemory<byte> frame)
    {
        office = "";
        frame = default;
        if (message.Length < 2) return false;
        var length = message.Span[0];
        if (message.Length <= 1 + length) return false;
        office = Encoding.UTF8.GetString(message.Span.Slice(1, length));
        frame = message[(1 + length)..];
        return true;
    }
}
