using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Heartline.Client.Internal;

internal sealed partial class Connection
{
    /// <summary>Largest inbound message accepted; far above anything the server sends.</summary>
    private const int MaxInboundBytes = 16 * 1024 * 1024;

    private async Task RunAsync()
    {
        var sending = SendLoopAsync();
        var receiving = ReceiveLoopAsync();
        await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        // Whichever side ended first, the other gets the close timeout to finish (the send loop answers a close frame
        // the server sent), then the socket is aborted.
        _queue.Writer.TryComplete();
        _abort.CancelAfter(CloseTimeout);
        await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        var close = _announced ?? _local ?? (_socket.CloseStatus is { } status
            ? new CloseInfo((int)status, _socket.CloseStatusDescription ?? "")
            : new CloseInfo(CloseInfo.Abnormal, "connection lost / 연결 끊김"));
        await _abort.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        _socket.Dispose();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
                pending.Fail(Frames.NotConnected("connection lost before the reply / 응답 전에 연결이 끊어졌습니다"));
        }
        _completion.TrySetResult(close);
    }

    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    await _socket.SendAsync(frame.Data, frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text,
                        endOfMessage: true, _abort.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastSentAt, _time.GetTimestamp());
                }
            }
            // The queue was completed: answer the server's close frame, or start our own close.
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length) buffer = Grow(buffer);
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), _abort.Token).ConfigureAwait(false);
                    count += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) return;
                if (result.MessageType == WebSocketMessageType.Binary)
                    _onBinary(buffer.AsSpan(0, count).ToArray());
                else
                    OnText(buffer.AsSpan(0, count));
            }
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
        }
        catch (Exception ex)
        {
            // A frame this client could not handle: end the connection rather than leave it half-working.
            _local ??= new CloseInfo(CloseInfo.Abnormal, "client fault / 클라이언트 오류: " + ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnText(ReadOnlySpan<byte> text)
    {
        JsonElement frame;
        try
        {
            var reader = new Utf8JsonReader(text);
            frame = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return;
        }
        if (frame.ValueKind != JsonValueKind.Object) return;
        if (frame.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var id))
        {
            // A reply that comes after its command timed out finds nothing here and is dropped.
            if (!_pending.TryRemove(id, out var pending)) return;
            if (frame.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                pending.Fail(Frames.ToException(error));
            else
                pending.Complete(frame.TryGetProperty("result", out var r) ? r : default);
            return;
        }
        if (!frame.TryGetProperty("push", out var push) || push.ValueKind != JsonValueKind.String) return;
        var type = push.GetString()!;
        if (type == "disconnect" && frame.TryGetProperty("code", out var code) && code.TryGetInt32(out var value))
        {
            // Sent just before the close frame; its reason is more telling than the close frame's code name.
            var reason = frame.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            _announced = new CloseInfo(value, reason);
        }
        _onPush(type, frame);
    }

    private static byte[] Grow(byte[] buffer)
    {
        if (buffer.Length >= MaxInboundBytes) throw new WebSocketException(WebSocketError.Faulted, "inbound message too large");
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.CopyTo(larger, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>A closed, reset or aborted socket and cancellation are normal endings.</summary>
    private static bool IsTransportEnding(Exception ex) =>
        ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException;
}
