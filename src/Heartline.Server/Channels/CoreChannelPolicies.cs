using Heartline.Server.Auth;
using Heartline.Server.Protocol;

namespace Heartline.Server.Channels;

/// <summary><c>office:{office}</c> and <c>office:{office}/{topic}</c>: an office's own broadcast channels.</summary>
internal sealed class OfficeChannelPolicy : IChannelPolicy
{
    public string Namespace => "office";

    public string? CanSubscribe(HeartlineUser user, string path) =>
        user.CanObserve(OfficeOf(path)) ? null : ErrorCodes.Forbidden;

    public string? CanPublish(HeartlineUser user, string path)
    {
        if (!user.CanObserve(OfficeOf(path))) return ErrorCodes.Forbidden;
        return user.Role is Roles.Viewer or Roles.Guest ? ErrorCodes.Forbidden : null;
    }

    private static string OfficeOf(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }
}

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
