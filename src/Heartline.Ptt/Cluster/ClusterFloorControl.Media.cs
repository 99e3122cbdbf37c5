using Heartline.Core.Cluster;
using System.Buffers.Binary;
using Heartline.Core.Connections;
using Heartline.Ptt;

namespace Heartline.Ptt.Cluster;

internal sealed partial class ClusterFloorControl
{
    /// <summary>
    /// Relays a frame of this node's speaker (docs/protocol.md 10.5), lock-free like the single-node relay: to the
    /// office's members here and, through the peer links, to the other nodes' members.
    /// </summary>
    public AudioOutcome OnAudio(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        var user = connection.User;
        if (user is null || !FloorControl.IsAudioFrame(frame.Span) || !_offices.TryGetValue(user.OfficeKey, out var office)) return AudioOutcome.Refused;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(frame.Span[1..9]);
        if (office.Held is { } held && held.Speaker == connection)
        {
            if (held.Epoch != epoch) return AudioOutcome.Dropped;
            held.Touch(time.GetTimestamp());
            Relay(office, connection, frame, toPeers: true);
            return AudioOutcome.Relayed;
        }
        // The speaker of a grant that just ended here: its last frames are still in flight.
        if (office.LastHeld is { } ended && ended.Floor.Speaker == connection)
        {
            if (ended.Floor.Epoch == epoch && ended.Reason == PttEndReasons.Released
                && time.GetElapsedTime(ended.EndedTimestamp) <= TimeSpan.FromMilliseconds(_options.ReleaseHangMs))
            {
                Relay(office, connection, frame, toPeers: true);
                return AudioOutcome.Relayed;
            }
            return AudioOutcome.Dropped;
        }
        return AudioOutcome.Refused;
    }

    /// <summary>
    /// A frame another node relayed for <paramref name="officeKey"/>. That node fenced it against its own grant; here it
    /// is dropped only when this node knows a newer epoch (or the session ended past the release hang).
    /// </summary>
    internal bool OnPeerAudio(string officeKey, ReadOnlyMemory<byte> frame)
    {
        if (!FloorControl.IsAudioFrame(frame.Span) || !_offices.TryGetValue(officeKey, out var office) || office.Members.Length == 0) return false;
        var epoch = BinaryPrimitives.ReadInt64BigEndian(frame.Span[1..9]);
        // Epochs are clock milliseconds at the grant (at least): one far ahead of this node's clock is no real grant.
        if (epoch > time.GetUtcNow().ToUnixTimeMilliseconds() + PeerEndpoint.CredentialWindow.TotalMilliseconds) return false;
        var view = office.View;
        // A newer epoch than the view is a grant whose notification has not arrived yet: its audio may come first.
        var current = epoch > view.Epoch || (epoch == view.Epoch && (view.Active || (view.EndedReason == PttEndReasons.Released
            && time.GetElapsedTime(view.EndedTimestamp) <= TimeSpan.FromMilliseconds(_options.ReleaseHangMs))));
        if (!current) return false;
        Relay(office, null, frame, toPeers: false);
        return true;
    }

    private void Relay(ClusterOffice office, ClientConnection? sender, ReadOnlyMemory<byte> frame, bool toPeers)
    {
        // The receive buffer is reused after this call: copy once, share the copy.
        var copy = frame.ToArray();
        // The speaker's own other connections here do not hear it (a peer's frame does not say whose it is).
        var speaker = sender?.User!.UserId;
        foreach (var member in office.Members)
        {
            if (member != sender && (speaker is null || !string.Equals(member.User!.UserId, speaker, StringComparison.Ordinal)))
                member.SendMedia(copy);
        }
        if (toPeers && peers.HasPeers) peers.Broadcast(PeerAudio.MessageKind, PeerAudio.Message(office.Office, copy));
    }
}
