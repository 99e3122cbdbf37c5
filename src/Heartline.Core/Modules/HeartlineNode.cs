namespace Heartline.Core.Modules;

/// <summary>This node as modules see it: its id (<c>Presence:NodeId</c>) and whether it is part of a cluster.</summary>
public sealed class HeartlineNode(string nodeId, bool isCluster)
{
    /// <summary>Stored with what this node owns (its connections, a module's sessions) so cleanup can find it.</summary>
    public string NodeId { get; } = nodeId;

    public bool IsCluster { get; } = isCluster;
}
