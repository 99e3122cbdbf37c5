namespace Heartline.Core.Cluster;

/// <summary>
/// Real-time binary messages between the nodes of a cluster (a module's relayed audio, say): fire and forget, a
/// message of one <c>kind</c> byte that a module registered. On a single node there are no peers and nothing is sent.
/// </summary>
public interface IPeerRelay
{
    /// <summary>Whether any peer link is open (so a sender may skip building a message nobody gets).</summary>
    bool HasPeers { get; }

    /// <summary>Queues <paramref name="payload"/> to every peer; never waits, drops rather than delays.</summary>
    void Broadcast(byte kind, ReadOnlySpan<byte> payload);
}

/// <summary>Receives the peer messages of one kind, on the receiving link's loop: quick, and never throws.</summary>
public interface IPeerMessageHandler
{
    byte Kind { get; }

    void OnMessage(ReadOnlyMemory<byte> payload);
}

/// <summary>A single node: no peers.</summary>
internal sealed class NoPeers : IPeerRelay
{
    public bool HasPeers => false;

    public void Broadcast(byte kind, ReadOnlySpan<byte> payload)
    {
    }
}
