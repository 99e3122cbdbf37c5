using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

internal sealed partial class ConnectionHandler
{
    private async ValueTask HandshakeAsync(Session session, InboundCommand command)
    {
        var connection = session.Connection;
        if (command.Command != "connect")
        {
            connection.Send(FrameWriter.Error(command.Id, ErrorCodes.NotConnected, "send connect first"));
            connection.Close(CloseCodes.ProtocolError, "command before connect");
            return;
        }
        var context = new CommandContext(connection, command.Id, command.Args);
        var args = context.ReadArgs(HeartlineJsonContext.Default.ConnectArgs);
        if (args is null) return;
        if (args.Client is { Length: > 64 } || args.Device is { Length: > 128 } || args.AppType is { Length: > 32 })
        {
            context.Error(ErrorCodes.BadRequest, "client (64), device (128) or app_type (32 characters) too long");
            return;
        }
        var validation = await tokens.ValidateAsync(args.Token).ConfigureAwait(false);
        if (validation.Principal is not { } principal)
        {
            Log.AuthFailed(logger, connection.Id, connection.RemoteIp, validation.Detail ?? "");
            var expired = validation.Error == ErrorCodes.TokenExpired;
            context.Error(validation.Error!.Value, expired ? "token expired" : "invalid token");
            connection.Close(expired ? CloseCodes.TokenExpired : CloseCodes.Unauthorized, expired ? "token expired" : "invalid token");
            return;
        }
        foreach (var gate in _gates)
        {
            ConnectRefusal? verdict;
            try
            {
                verdict = await gate.AdmitAsync(principal, connection.Aborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
            {
                Log.StoreUnavailable(logger, ex, connection.Id);
                context.Error(ErrorCodes.Unavailable, "storage unavailable, retry later");
                connection.Close(CloseCodes.InternalError, "storage unavailable");
                return;
            }
            if (verdict is not { } refusal) continue;
            Log.AuthFailed(logger, connection.Id, connection.RemoteIp, refusal.Message);
            context.Error(refusal.Code, refusal.Message);
            connection.Close(CloseCodes.Revoked, refusal.Message);
            return;
        }
        // The handshake timer (4003) or the client may have ended the connection while the token was checked.
        if (connection.IsClosing) return;
        var appType = string.IsNullOrWhiteSpace(args.AppType) ? principal.Role : args.AppType;
        var scopes = presenceScopes.Of(principal);
        var record = ConnectionRecord.Of(connection.Id, presenceOptions.Value.NodeId, principal, scopes, appType, args.Device,
            connection.ConnectedAt.ToUnixTimeMilliseconds());
        // Persist first: from here on a crash leaves a row that the next start cleans up.
        try
        {
            await connectionStore.AddAsync(record).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            Log.StoreUnavailable(logger, ex, connection.Id);
            context.Error(ErrorCodes.Unavailable, "storage unavailable, retry later");
            connection.Close(CloseCodes.InternalError, "storage unavailable");
            return;
        }
        if (connection.IsClosing)
        {
            // Closed while the row was written (a slow database during a reconnect storm): the client was told
            // handshake_timeout or is gone, so it must not go online. End the row it will never use.
            await EndUnusedRowAsync(connection).ConfigureAwait(false);
            return;
        }
        connection.Record = record;
        connection.Authenticate(principal, scopes, appType, args.Device, args.Client);
        presence.Add(connection);
        var user = new UserInfo
        {
            UserId = principal.SubjectId,
            Name = principal.Name,
            Role = principal.Role,
            Roles = principal.Roles,
            Kind = TokenValidator.KindName(principal.Kind),
            Tenant = principal.Tenant,
            Fields = connectInfo.Describe(principal)?.ToDictionary(f => f.Key, f => (object)f.Value, StringComparer.Ordinal),
        };
        context.Reply(new ConnectResult(connection.Id, presenceOptions.Value.NodeId, user, scopes,
            time.GetUtcNow().ToUnixTimeMilliseconds(), _options.ClientPingIntervalSeconds * 1000L,
            _options.MaxMessageBytes, principal.ExpiresAt.ToUnixTimeMilliseconds(), _options.CommandRatePerSecond,
            _options.CommandBurst, _options.MaxSubscriptions), HeartlineJsonContext.Default.ConnectResult);
        ScheduleExpiry(connection, principal);
        Log.Connected(logger, connection.Id, principal.SubjectId, string.Join(' ', scopes), appType);
        foreach (var observer in _observers)
        {
            try { await observer.OnConnectedAsync(connection).ConfigureAwait(false); }
            catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex)) { Log.ObserverFailed(logger, ex, observer.GetType().Name); }
        }
    }

    private async Task EndUnusedRowAsync(ClientConnection connection)
    {
        try
        {
            await connectionStore.EndAsync(connection.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), ReasonOf(connection))
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            // The orphan check of the presence sweeper ends it later.
            Log.TeardownFailed(logger, ex, connection.Id);
        }
    }

    /// <summary>Closes the connection when its token expires, even if it only listens.</summary>
    private void ScheduleExpiry(ClientConnection connection, Principal principal) =>
        connection.ExpireAfter(tokens.ValidUntil(principal) - time.GetUtcNow());
}
