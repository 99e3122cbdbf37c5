using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary>
/// A VoIP party's connection, from <c>connect</c> to its end: refuses guests that are gone, marks the party connected,
/// registers the disconnect action that runs whatever ends the connection, and continues a call that waited for it.
/// </summary>
internal sealed class VoipConnectionHooks(GuestSessions sessions, GuestStore store, CallControl calls, IDisconnectActions actions,
    IOptions<VoipOptions> options, TimeProvider time) : IConnectionObserver, IConnectGate
{
    public async ValueTask<ConnectRefusal?> AdmitAsync(Principal principal, CancellationToken cancellationToken)
    {
        if (!VoipParties.IsGuest(principal)) return null;
        var guest = await store.FindAsync(principal.SubjectId, cancellationToken).ConfigureAwait(false);
        if (guest is null) return new ConnectRefusal(VoipErrors.GuestGone, "this guest was removed: admit a new guest");
        if (guest.DisconnectedAt is { } at && Now() - at >= options.Value.ReclaimWindowSeconds * 1000L)
            return new ConnectRefusal(VoipErrors.GuestGone, "this guest's reclaim window ended: admit a new guest");
        return null;
    }

    public async ValueTask OnConnectedAsync(ClientConnection connection)
    {
        var principal = connection.Principal!;
        if (!VoipParties.IsParty(principal)) return;
        var tenant = VoipParties.TenantOf(principal, options.Value.DefaultTenant);
        var isGuest = VoipParties.IsGuest(principal);
        var now = Now();
        sessions.Add(new GuestSession(connection, principal.SubjectId, tenant, isGuest, now));
        if (isGuest)
        {
            if (!await store.ConnectedAsync(principal.SubjectId, connection.Id, now, connection.Aborted).ConfigureAwait(false))
            {
                // Removed between the gate and here.
                connection.Close(CloseCodes.Revoked, "this guest was removed");
                return;
            }
        }
        else
        {
            await store.UserConnectedAsync(principal.SubjectId, tenant, principal.Name, connection.Id, now, connection.Aborted).ConfigureAwait(false);
        }
        await actions.RegisterAsync(connection, PartyLeft.KindName, principal.SubjectId, connection.Aborted).ConfigureAwait(false);
        await calls.PartyReturnedAsync(principal.SubjectId, connection.Id, connection.Aborted).ConfigureAwait(false);
    }

    public void OnDisconnected(ClientConnection connection, string reason) => sessions.Remove(connection);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>
/// The disconnect action of a VoIP party's connection: the party is marked disconnected (its reclaim window starts),
/// and its call waits for it, or ends at once after a crash (<c>server_restart</c>).
/// </summary>
internal sealed class PartyLeft(GuestStore store, CallControl calls, TimeProvider time) : IDisconnectActionHandler
{
    public const string KindName = "voip.party_left";

    public string Kind => KindName;

    public async Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken)
    {
        var connectionId = context.Connection.ConnectionId;
        await store.DisconnectedAsync(context.Payload, connectionId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)
            .ConfigureAwait(false);
        await calls.PartyDroppedAsync(context.Payload, connectionId, context.Reason, cancellationToken).ConfigureAwait(false);
    }
}
