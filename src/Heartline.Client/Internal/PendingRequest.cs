using System.Text.Json;

namespace Heartline.Client.Internal;

/// <summary>A command waiting for its reply.</summary>
internal sealed class PendingRequest(Action<JsonElement>? onResult)
{
    private readonly TaskCompletionSource<JsonElement> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<JsonElement> Task => _reply.Task;

    /// <summary>
    /// Runs <c>onResult</c> on the receive loop before the next frame is read, so state it sets up (a subscription's
    /// position, recovered publications) is in place before any later push. Awaiters resume elsewhere.
    /// </summary>
    public void Complete(JsonElement result)
    {
        try
        {
            onResult?.Invoke(result);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            _reply.TrySetException(new HeartlineException("internal", "malformed reply / 잘못된 응답: " + ex.Message));
            return;
        }
        _reply.TrySetResult(result);
    }

    public void Fail(Exception exception) => _reply.TrySetException(exception);
}
