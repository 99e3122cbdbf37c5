using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Protocol;

namespace Heartline.Ptt;

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
