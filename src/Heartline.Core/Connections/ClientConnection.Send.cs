using System.Net.WebSockets;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>Media older than this when its turn to be sent comes is dropped: it would only add delay.</summary>
    private static readonly TimeSpan MaxMediaAge = TimeSpan.FromMilliseconds(500);

    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        // One registration for the connection's life instead of one per wait and per send: aborting the socket fails a
        // pending send, and completing the queue ends a pending wait.
        using var abort = _abort.Token.UnsafeRegister(static state =>
        {
            var connection = (ClientConnection)state!;
            connection._queue.Writer.TryComplete();
            connection._socket.Abort();
        }, this);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    Interlocked.Add(ref _queuedBytes, -frame.Data.Length);
                    if (_discardPending) continue;
                    if (frame.Droppable && _time.GetElapsedTime(frame.EnqueuedAt) > MaxMediaAge)
                    {
                        _metrics.MediaDropped();
                        continue;
                    }
                    await _socket.SendAsync(frame.Data,
                        frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text,
                        endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    _metrics.FrameOut(frame.Data.Length);
                }
            }
            await SendCloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
            Log.SendEnded(_logger, Id, ex.GetType().Name);
        }
    }

    private async Task SendCloseAsync()
    {
        var state = _socket.State;
        if (state == WebSocketState.CloseReceived)
        {
            // The client started the close: answer it.
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _abort.Token).ConfigureAwait(false);
            return;
        }
        if (state != WebSocketState.Open || !IsClosing) return;
        if (_closeCode.Value != CloseCodes.Normal.Value && _closeCode != CloseCodes.SlowConsumer)
        {
            // Some WebSocket APIs hide close codes from the application; the push says it in-band first.
            await _socket.SendAsync(FrameWriter.DisconnectPush(_closeCode, _closeReason), WebSocketMessageType.Text,
                true, _abort.Token).ConfigureAwait(false);
        }
        await _socket.CloseOutputAsync((WebSocketCloseStatus)_closeCode.Value, _closeCode.Name, _abort.Token)
            .ConfigureAwait(false);
    }

    /// <summary>A closed, reset or aborted socket and cancellation are normal endings, not server faults.</summary>
    internal static bool IsTransportEnding(Exception ex) =>
        ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException
        || ex is Microsoft.AspNetCore.Connections.ConnectionResetException;
}
