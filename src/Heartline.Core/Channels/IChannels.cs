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

    /// <summary>
    /// Sends <paramref name="data"/> as a live <c>signal</c> to the channel's current subscribers on every node (someone
    /// typing, say): not numbered, not kept, not recovered, dropped where nobody listens, never waits. Order holds per
    /// sending node only; use <see cref="Publish{T}"/> for anything a reconnecting client must not miss.
    /// </summary>
    void Signal<T>(string channel, T data, JsonTypeInfo<T> info);
}
