using System.Buffers.Binary;
using Heartline.Core.Connections;

namespace Heartline.Ptt;

internal enum AudioOutcome
{
    /// <summary>Forwarded to the listeners.</summary>
    Relayed,
    /// <summary>From the speaker but fenced off (older epoch), dropped silently.</summary>
    Dropped,
    /// <summary>The connection may not send audio (not the speaker), or the frame is malformed.</summary>
    Refused,
}

internal sealed partial class FloorControl
{
    public const int AudioHeaderLength = 13;
    public const byte OpusAudioKind = 0x01;
    private const int MaxOpusPacket = 1275;

    /// <summary>
    /// Relays one audio frame (docs/protocol.md 10.5). Lock-free: it reads the office's current grant, checks the
    /// speaker and epoch, marks the lease active and queues the same bytes to every listener.
    /// </summary>
    public AudioOutcome OnAudio(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        var user = connection.User;
        if (user is null || !IsAudioFrame(frame.Span) || !_floors.TryGetValue(user.OfficeKey, out var floor))
            return AudioOutcome.Refused;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(frame.Span[1..9]);
        var current = floor.Current;
        if (current is not null && current.Speaker == connection)
        {
            if (current.Epoch != epoch) return AudioOutcome.Dropped;
            current.Touch(time.GetTimestamp());
            Forward(current.Listeners, frame);
            return AudioOutcome.Relayed;
        }
        // The speaker of a grant that just ended: its last frames are still in flight.
        if (floor.LastEnded is { } ended && ended.Grant.Speaker == connection)
        {
            if (ended.Grant.Epoch == epoch && ended.Reason == PttEndReasons.Released
                && time.GetElapsedTime(ended.EndedTimestamp) <= TimeSpan.FromMilliseconds(_options.ReleaseHangMs))
            {
                Forward(ended.Grant.Listeners, frame);
                return AudioOutcome.Relayed;
            }
            return AudioOutcome.Dropped;
        }
        return AudioOutcome.Refused;
    }

    /// <summary>An Opus audio frame: the kind byte, the 12-byte header, then 1 to 1,275 bytes of Opus.</summary>
    internal static bool IsAudioFrame(ReadOnlySpan<byte> frame) =>
        frame.Length > AudioHeaderLength && frame.Length <= AudioHeaderLength + MaxOpusPacket && frame[0] == OpusAudioKind;

    private static void Forward(ClientConnection[] listeners, ReadOnlyMemory<byte> frame)
    {
        if (listeners.Length == 0) return;
        // The receive buffer is reused after this call: copy once, share the copy.
        var copy = frame.ToArray();
        foreach (var listener in listeners) listener.SendMedia(copy);
    }
}
