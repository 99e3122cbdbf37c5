using Heartline.Core.Auth;
using Heartline.Core.Protocol;

namespace Heartline.Core.Channels;

/// <summary>
/// Decides who may subscribe and publish in one channel namespace. Each module registers one for each namespace it
/// owns; a name in a namespace nobody registered is invalid.
/// </summary>
public interface IChannelPolicy
{
    /// <summary>The part before the colon, e.g. <c>ptt</c>.</summary>
    string Namespace { get; }

    /// <summary>Null when allowed, else the error code to answer with (<c>forbidden</c>, say).</summary>
    ErrorCode? CanSubscribe(Principal principal, string path);

    /// <summary>Null when the client may publish, else an error code. Server code publishes without asking.</summary>
    ErrorCode? CanPublish(Principal principal, string path);

    /// <summary>
    /// Whether the channel keeps presence: a connection subscribed to it is present in the scope named like the channel
    /// (<c>ns:path</c>), announced on <c>presence:ns:path</c> and listed by the <c>presence</c> command to those who may
    /// subscribe to the channel (a question's room: who has it open). Unsubscribing leaves at once; a dropped connection
    /// leaves after the leave grace. Off by default.
    /// </summary>
    bool HasPresence(string path) => false;
}
