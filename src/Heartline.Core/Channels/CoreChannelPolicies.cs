using Heartline.Core.Auth;
using Heartline.Core.Protocol;

namespace Heartline.Core.Channels;

/// <summary><c>presence:{office}</c>: online/offline of an office's users; only the server publishes.</summary>
internal sealed class PresenceChannelPolicy : IChannelPolicy
{
    public string Namespace => "presence";

    public string? CanSubscribe(HeartlineUser user, string path) => user.CanObserve(path) ? null : ErrorCodes.Forbidden;

    public string? CanPublish(HeartlineUser user, string path) => ErrorCodes.Forbidden;
}

/// <summary><c>user:{userId}</c>: a user's private pushes; only that user subscribes, only the server publishes.</summary>
internal sealed class UserChannelPolicy : IChannelPolicy
{
    public string Namespace => "user";

    public string? CanSubscribe(HeartlineUser user, string path) =>
        string.Equals(path, user.UserId, StringComparison.Ordinal) ? null : ErrorCodes.Forbidden;

    public string? CanPublish(HeartlineUser user, string path) => ErrorCodes.Forbidden;
}
