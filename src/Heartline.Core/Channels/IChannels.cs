using System.Text.Json.Serialization.Metadata;

namespace Heartline.Core.Channels;

/// <summary>Publishing to channels from server code (a module's events), without a client's permission check.</summary>
public interface IChannels
{
    /// <summary>
    /// Publishes <paramref name="data"/> (serialized once with a source-generated type info) without waiting, in order
    /// with this node's other publications; every subscriber on every node gets it, and it is kept for recovery.
    /// </summary>
    void Publish<T>(string channel, T data, JsonTypeInfo<T> info);
}
