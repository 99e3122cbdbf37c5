using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Protocol;

namespace Heartline.Ptt;

/// <summary>
/// <c>office:{office}</c> and <c>office:{office}/{topic}</c>: an office's own broadcast channels. Those who may observe
/// the office subscribe; its talking members (and administrators) publish.
/// </summary>
internal sealed class OfficeChannelPolicy : IChannelPolicy
{
    public string Namespace => "office";

    public ErrorCode? CanSubscribe(Principal principal, string path) =>
        principal.CanObserve(OfficeOf(path)) ? null : ErrorCodes.Forbidden;

    public ErrorCode? CanPublish(Principal principal, string path) =>
        principal.CanObserve(OfficeOf(path)) && principal.Has(PttRoles.PublishOffice) ? null : ErrorCodes.Forbidden;

    private static string OfficeOf(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }
}
