using Heartline.Core.Auth;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

/// <summary>A module's refusal of a <c>connect</c> whose token is valid: the error code and a message for developers.</summary>
public readonly record struct ConnectRefusal(ErrorCode Code, string Message);

/// <summary>
/// Lets a module refuse a <c>connect</c> after the token was validated and before the connection goes online: a
/// principal the module removed since the token was minted (a purged VoIP guest), say. A refused connection gets the
/// error and is closed with <c>4503 revoked</c>.
/// </summary>
public interface IConnectGate
{
    /// <summary>Null admits the principal; a refusal closes the connection. Called for every <c>connect</c>: keep it quick.</summary>
    ValueTask<ConnectRefusal?> AdmitAsync(Principal principal, CancellationToken cancellationToken);
}
