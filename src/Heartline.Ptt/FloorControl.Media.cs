using System.Buffers.Binary;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;

namespace Heartline.Ptt;

internal enum AudioOutcome
{
    /// <summary>Forwarded to the listeners.</summary>
    Relayed,
    /// <summary>From the speaker but fenced off (older epoch, or after the release hang), dropped silently.</summary>
    Dropped,
    /// <summary>The connection may not send audio now (it does not hold the floor).</summary>
    Refused,
    /// <summary>The frame itself is malformed (docs/protocol.md 10.5).</summary>
    Malformed,
}

internal sealed partial class FloorControl
{
    public const int AudioHeaderLength = 13;
    public const byte OpusAudioKind = 0x01;
    private const int MaxOpusPacket = 1275;

    /// <summary>How far ahead of this node's clock a relayed frame's epoch may be (the nodes' clocks are NTP-synchronized).</summary>
    private static readonly TimeSpan MaxEpochLead = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Relays one audio frame of a speaker connected here (docs/protocol.md 10.5). Lock-free: it reads the office's held
    /// grant, checks the speaker and epoch, marks the lease active and queues the same bytes to this node's listeners
    /// and, through the peer links, to the other nodes'.
    /// </summary>
    public AudioOutcome OnAudio(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        if (connection.Principal?.OfficeKey() is not { } office || !_floors.TryGetValue(office, out var floor)) return AudioOutcome.Refused;
        var held = floor.Held;
        var ended = floor.LastHeld;
        // A speaker's bad frame is that frame's fault, not a reason to stop sending; anyone else may not send at all.
        var speaking = (held is not null && held.Speaker == connection) || (ended is not null && ended.Grant.Speaker == connection);
        if (!speaking) return AudioOutcome.Refused;
        if (!IsAudioFrame(frame.Span)) return AudioOutcome.Malformed;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(frame.Span[1..9]);
        if (held is not null && held.Speaker == connection)
        {
            if (held.Epoch != epoch) return AudioOutcome.Dropped;
            held.Touch(_time.GetTimestamp());
            held.Relayed();
            if (_options.Recordings.Enabled) held.Record(frame.Span[AudioHeaderLength..], MaxRecordedPackets);
            Relay(floor, floor.Listeners, frame, toPeers: true);
            return AudioOutcome.Relayed;
        }
        // The speaker of a grant that just ended here: its last frames are still in flight.
        if (ended is not null && ended.Grant.Speaker == connection)
        {
            if (ended.Grant.Epoch == epoch && ended.Reason == PttEndReasons.Released
                && _time.GetElapsedTime(ended.EndedTimestamp) <= TimeSpan.FromMilliseconds(_options.ReleaseHangMs))
            {
                if (_options.Recordings.Enabled) ended.Grant.Record(frame.Span[AudioHeaderLength..], MaxRecordedPackets);
                Relay(floor, floor.HangListeners, frame, toPeers: true);
                return AudioOutcome.Relayed;
            }
            return AudioOutcome.Dropped;
        }
        return AudioOutcome.Refused;
    }

    /// <summary>
    /// A frame another node relayed for <paramref name="office"/>. That node fenced it against its own grant; here it is
    /// dropped only when this node knows a newer epoch (or the session ended past the release hang).
    /// </summary>
    internal bool OnPeerAudio(string office, ReadOnlyMemory<byte> frame)
    {
        if (!IsAudioFrame(frame.Span) || !_floors.TryGetValue(office, out var floor)) return false;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(frame.Span[1..9]);
        // Epochs are clock milliseconds at the grant (at least): one far ahead of this node's clock is no real grant.
        if (epoch > _time.GetUtcNow().ToUnixTimeMilliseconds() + MaxEpochLead.TotalMilliseconds) return false;
        var view = floor.View;
        // A newer epoch than the view is a grant whose notice has not arrived yet: its audio may come first.
        var live = epoch > view.Epoch || (epoch == view.Epoch && view.Active);
        var hang = !live && epoch == view.Epoch && view.EndedReason == PttEndReasons.Released
            && _time.GetElapsedTime(view.EndedTimestamp) <= TimeSpan.FromMilliseconds(_options.ReleaseHangMs);
        if (!live && !hang) return false;
        // A grant newer than the view (its notice has not arrived) has no listeners here yet: every member hears it.
        var listeners = epoch > view.Epoch ? floor.Members : live ? floor.Listeners : floor.HangListeners;
        if (listeners.Length == 0) return false;
        Relay(floor, listeners, frame, toPeers: false);
        return true;
    }

    /// <summary>A recording keeps at most twice the maximum talk time of 20 ms packets (a bound on memory, never reached by a real speaker).</summary>
    private int MaxRecordedPackets => _options.MaxTalkMs / 10;

    /// <summary>
    /// Keeps the transmission of <paramref name="held"/> (its grant just ended here) once the release hang is over and its
    /// last frames are in: Ogg Opus in <c>ptt_recordings</c>, written by the background writer.
    /// </summary>
    private async Task SaveRecordingAsync(HeldGrant held)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_options.ReleaseHangMs + 50), _time).ConfigureAwait(false);
            var packets = held.SealRecording();
            if (packets.Count == 0) return;
            var audio = Recordings.OggOpus.Write(packets, (uint)held.Epoch);
            _store.SaveRecording(new Recordings.RecordingRow
            {
                SessionId = held.SessionId, Office = held.Office, SpeakerUserId = held.SpeakerUser.UserId, SpeakerName = held.SpeakerUser.Name,
                StartedAt = held.StartedAtMs, DurationMs = Recordings.OggOpus.DurationMs(packets.Count), Frames = packets.Count, Bytes = audio.Length,
            }, audio);
        }
        catch (Exception ex)
        {
            Log.RecordingFailed(_logger, ex, held.SessionId);
        }
    }

    /// <summary>An Opus audio frame: the kind byte, the 12-byte header, then 1 to 1,275 bytes of Opus.</summary>
    internal static bool IsAudioFrame(ReadOnlySpan<byte> frame) =>
        frame.Length > AudioHeaderLength && frame.Length <= AudioHeaderLength + MaxOpusPacket && frame[0] == OpusAudioKind;

    private void Relay(OfficeFloor floor, ClientConnection[] listeners, ReadOnlyMemory<byte> frame, bool toPeers)
    {
        var peers = toPeers && _peers.HasPeers;
        if (listeners.Length == 0 && !peers) return;
        // The receive buffer is reused after this call: copy once, share the copy.
        var copy = frame.ToArray();
        floor.CountRelayed();
        foreach (var listener in listeners)
        {
            if (!listener.SendMedia(copy)) floor.Dropped(listener);
        }
        if (peers) _peers.Broadcast(PeerAudio.MessageKind, PeerAudio.Message(floor.Office, copy));
    }
}
