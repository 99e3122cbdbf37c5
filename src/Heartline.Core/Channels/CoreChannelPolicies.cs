using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;

namespace Heartline.Core.Channels;

/// <summary>
/// <c>presence:{scope}</c>: online/offline of a scope's users, for those the scope's module lets watch it;
/// only the server publishes.
/// </summary>
internal sealed class PresenceChannelPolicy(PresenceScopes scopes) : IChannelPolicy
{
    public string Namespace => "presence";

    public ErrorCode? CanSubscribe(Principal principal, string path) => scopes.CanObserve(principal, path) ? null : ErrorCodes.Forbidden;

    public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;
}

/// <summary><c>user:{userId}</c>: a user's private pushes; only that user subscribes, only the server publishes.</summary>
internal sealed class UserChannelPolicy : IChannelPolicy
{
    public string Namespace => "user";

    public ErrorCode? CanSubscribe(Principal principal, string path) =>
        string.Equals(path, principal.SubjectId, StringComparison.Ordinal) ? null : ErrorCodes.Forbidden;

    public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;
}
