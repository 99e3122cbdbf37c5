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
            connection.Send(FrameWriter.Error(command.Id, ErrorCodes.NotConnected, "send connect first / connect를 먼저 보내야 합니다"));
            connection.Close(CloseCodes.ProtocolError, "command before connect");
            return;
        }
        var context = new CommandContext(connection, command.Id, command.Args);
        var args = context.ReadArgs(HeartlineJsonContext.Default.ConnectArgs);
        if (args is null) return;
        if (args.Client is { Length: > 64 } || args.Device is { Length: > 128 } || args.AppType is { Length: > 32 })
        {
            context.Error(ErrorCodes.BadRequest, "client, device or app_type too long / 값이 너무 깁니다");
            return;
        }
        var validation = await tokens.ValidateAsync(args.Token).ConfigureAwait(false);
        if (validation.User is not { } user)
        {
            Log.AuthFailed(logger, connection.Id, connection.RemoteIp, validation.Detail ?? "");
            var expired = validation.ErrorCode == ErrorCodes.TokenExpired;
            context.Error(validation.ErrorCode!, expired ? "token expired / 토큰이 만료되었습니다" : "invalid token / 유효하지 않은 토큰");
            connection.Close(expired ? CloseCodes.TokenExpired : CloseCodes.Unauthorized, expired ? "token expired" : "invalid token");
            return;
        }
        // The handshake timer (4003) or the client may have ended the connection while the token was checked.
        if (connection.IsClosing) return;
        var appType = string.IsNullOrWhiteSpace(args.AppType) ? user.Role : args.AppType;
        var record = new ConnectionRecord(connection.Id, presenceOptions.Value.NodeId, user.UserId, user.Name, user.Role,
            user.RegionId, user.OfficeId, appType, args.Device, connection.ConnectedAt.ToUnixTimeMilliseconds());
        // Persist first: from here on a crash leaves a row that the next start cleans up.
        try
        {
            await connectionStore.AddAsync(record).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            Log.StoreUnavailable(logger, ex, connection.Id);
            context.Error(ErrorCodes.Unavailable, "storage unavailable, retry later / 저장소를 사용할 수 없습니다");
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
        session.Record = record;
        connection.Authenticate(user, appType, args.Device, args.Client);
        presence.Add(connection);
        context.Reply(new ConnectResult(connection.Id, presenceOptions.Value.NodeId,
            new UserInfo(user.UserId, user.Name, user.Role, user.RegionId, user.OfficeId, user.OfficeKey),
            time.GetUtcNow().ToUnixTimeMilliseconds(), _options.ClientPingIntervalSeconds * 1000L,
            _options.MaxMessageBytes, user.ExpiresAt.ToUnixTimeMilliseconds(), _options.CommandRatePerSecond,
            _options.CommandBurst, _options.MaxSubscriptions), HeartlineJsonContext.Default.ConnectResult);
        ScheduleExpiry(connection, user);
        Log.Connected(logger, connection.Id, user.UserId, user.OfficeKey, appType);
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
    private void ScheduleExpiry(ClientConnection connection, HeartlineUser user)
    {
        var due = tokens.ValidUntil(user) - time.GetUtcNow();
        if (due > TimeSpan.FromDays(30)) return;
        var timer = time.CreateTimer(static state =>
            ((ClientConnection)state!).Close(CloseCodes.TokenExpired, "token expired"), connection,
            due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        connection.Aborted.Register(static t => ((ITimer)t!).Dispose(), timer);
    }
}
