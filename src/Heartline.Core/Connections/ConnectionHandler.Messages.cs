using System.Net.WebSockets;
using System.Text.Json;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

internal sealed partial class ConnectionHandler
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>
    /// Handles one inbound message. A server fault while handling it is logged and answered with an <c>internal</c>
    /// error push; it never ends the connection (a client's bad input is answered before it can get here).
    /// </summary>
    private async ValueTask OnMessageAsync(Session session, WebSocketMessageType type, ReadOnlyMemory<byte> data)
    {
        try
        {
            await HandleMessageAsync(session, type, data).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            Log.MessageFailed(logger, ex, session.Connection.Id);
            session.Connection.Send(FrameWriter.ErrorPush(ErrorCodes.Internal, "internal error"));
        }
    }

    private async ValueTask HandleMessageAsync(Session session, WebSocketMessageType type, ReadOnlyMemory<byte> data)
    {
        var connection = session.Connection;
        if (type == WebSocketMessageType.Binary)
        {
            await OnBinaryAsync(session, data).ConfigureAwait(false);
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data, DocumentOptions);
        }
        catch (JsonException)
        {
            metrics.FrameRejected();
            if (!TryTakeToken(session, 0)) return;
            connection.Send(FrameWriter.ErrorPush(ErrorCodes.BadRequest, "malformed JSON"));
            return;
        }
        using (document)
        {
            if (!InboundParser.TryParse(document, data.Span, out var command, out var id, out var error))
            {
                metrics.FrameRejected();
                if (!TryTakeToken(session, id)) return;
                connection.Send(id > 0
                    ? FrameWriter.Error(id, ErrorCodes.BadRequest, error!)
                    : FrameWriter.ErrorPush(ErrorCodes.BadRequest, error!));
                return;
            }
            if (!TryTakeToken(session, command.Id)) return;
            if (connection.Principal is null)
            {
                await HandshakeAsync(session, command).ConfigureAwait(false);
                return;
            }
            await DispatchAsync(session, command).ConfigureAwait(false);
        }
    }

    private async ValueTask DispatchAsync(Session session, InboundCommand command)
    {
        var connection = session.Connection;
        if (command.Command == "connect")
        {
            connection.Send(FrameWriter.Error(command.Id, ErrorCodes.AlreadyConnected, "already connected"));
            return;
        }
        if (tokens.ValidUntil(connection.Principal!) <= time.GetUtcNow())
        {
            connection.Send(FrameWriter.Error(command.Id, ErrorCodes.TokenExpired, "token expired"));
            connection.Close(CloseCodes.TokenExpired, "token expired");
            return;
        }
        if (!dispatcher.TryGet(command.Command, out var handler))
        {
            connection.Send(FrameWriter.Error(command.Id, ErrorCodes.UnknownCommand, $"unknown command '{command.Command}'"));
            return;
        }
        var context = new CommandContext(connection, command.Id, command.Args);
        try
        {
            await handler.HandleAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ClientConnection.IsTransportEnding(ex))
        {
            Log.CommandFailed(logger, ex, command.Command, connection.Id);
            if (context.Replied) return;
            // A command that needs the database (every channel command in a cluster) fails when it is unreachable.
            if (ex is System.Data.Common.DbException or TimeoutException)
                context.Error(ErrorCodes.Unavailable, "storage unavailable, retry later");
            else
                context.Error(ErrorCodes.Internal, "internal error");
            return;
        }
        if (!context.Replied) context.Error(ErrorCodes.Internal, "no reply");
    }

    private async ValueTask OnBinaryAsync(Session session, ReadOnlyMemory<byte> data)
    {
        var connection = session.Connection;
        if (connection.Principal is null)
        {
            metrics.FrameRejected();
            connection.Close(CloseCodes.ProtocolError, "binary frame before connect");
            return;
        }
        var result = binaryFrames.TryGet(data.Span, out var handler)
            ? await handler.HandleAsync(connection, data).ConfigureAwait(false)
            : data.Length == 0 ? BinaryFrameResult.Malformed : BinaryFrameResult.NotAllowed;
        if (result == BinaryFrameResult.Accepted) return;
        // Refused frames cost a token, so a flood of them ends like any other flood.
        metrics.FrameRejected();
        if (!TryTakeToken(session, 0)) return;
        connection.Send(result == BinaryFrameResult.Malformed
            ? FrameWriter.ErrorPush(ErrorCodes.BadFrame, "binary frame dropped: empty, or not of its kind's format")
            : FrameWriter.ErrorPush(ErrorCodes.BinaryNotAllowed, "this connection may not send binary frames of this kind"));
    }

    /// <summary>
    /// Applies the command rate. Over the limit the command is answered <c>rate_limited</c>; too many of those within
    /// the flood window close the socket.
    /// </summary>
    private bool TryTakeToken(Session session, long id)
    {
        if (session.Bucket.TryTake(out var retryAfter)) return true;
        var connection = session.Connection;
        metrics.RateLimited();
        var now = time.GetTimestamp();
        var window = session.RateLimitedAt;
        window.Enqueue(now);
        while (window.TryPeek(out var first) && time.GetElapsedTime(first, now) > TimeSpan.FromSeconds(_options.FloodWindowSeconds))
            window.Dequeue();
        if (window.Count >= _options.FloodThreshold)
        {
            Log.Flood(logger, connection.Id);
            connection.Close(CloseCodes.Flood, "command rate stayed above the limit");
            return false;
        }
        var ms = (long)Math.Ceiling(retryAfter.TotalMilliseconds);
        connection.Send(id > 0
            ? FrameWriter.Error(id, ErrorCodes.RateLimited, "too many commands", ms)
            : FrameWriter.ErrorPush(ErrorCodes.RateLimited, "too many commands"));
        return false;
    }
}
