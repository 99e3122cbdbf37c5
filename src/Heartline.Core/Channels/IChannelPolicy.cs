using Heartline.Core.Auth;

namespace Heartline.Core.Channels;

/// <summary>
/// Decides who may subscribe and publish in one channel namespace. Each module registers one for its namespace;
/// a name in a namespace nobody registered is invalid.
/// </summary>
internal interface IChannelPolicy
{
    /// <summary>The part before the colon, e.g. <c>office</c>.</summary>
    string Namespace { get; }

    /// <summary>Null when allowed, else an error code from <see cref="Protocol.ErrorCodes"/>.</summary>
    string? CanSubscribe(HeartlineUser user, string path);

    /// <summary>Null when the client may publish, else an error code. Server code publishes without asking.</summary>
    string? CanPublish(HeartlineUser user, string path);
}
