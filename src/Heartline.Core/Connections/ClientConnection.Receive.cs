using System.Buffers;
using System.Net.WebSockets;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

public sealed partial class ClientConnection
{
    private const int InitialReceiveBuffer = 4096;

    private async Task ReceiveLoopAsync(Func<ClientConnection, WebSocketMessageType, ReadOnlyMemory<byte>, ValueTask> onMessage)
    {
        byte[]? buffer = null;
        var count = 0;
        var limit = _options.MaxMessageBytes;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    // A zero-byte read waits for the next message without holding a buffer, so an idle connection
                    // costs no receive memory (the same trick as SignalR's WebSocket transport).
                    var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, _abort.Token).ConfigureAwait(false);
                    if (peek.MessageType == WebSocketMessageType.Close)
                    {
                        OnClientClose();
                        return;
                    }
                    if (peek.EndOfMessage)
                    {
                        // A zero-length message was read whole by the peek: it is a message like any other (answered
                        // as bad input), never skipped.
                        Touch();
                        _metrics.FrameIn(0);
                        if (!IsClosing) await onMessage(this, peek.MessageType, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                        continue;
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
                }
                else if (count == buffer.Length)
                {
                    // Grow up to one byte past the limit, so an oversized message is detected without reading all of it.
                    var grown = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, count).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), _abort.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    OnClientClose();
                    return;
                }
                count += result.Count;
                if (count > limit)
                {
                    if (!IsClosing)
                    {
                        _metrics.FrameRejected();
                        Log.FrameTooLarge(_logger, Id, limit);
                        Close(CloseCodes.FrameTooLarge, $"message larger than {limit} bytes", discardPending: true);
                    }
                    count = 0;
                    continue;
                }
                if (!result.EndOfMessage) continue;
                Touch();
                _metrics.FrameIn(count);
                // After a close was requested, frames are read (to reach the client's close frame) but not handled.
                if (!IsClosing) await onMessage(this, result.MessageType, buffer.AsMemory(0, count)).ConfigureAwait(false);
                count = 0;
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
            Log.ReceiveEnded(_logger, Id, ex.GetType().Name);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnClientClose()
    {
        ClosedByClient = true;
        _discardPending = true;
    }
}
