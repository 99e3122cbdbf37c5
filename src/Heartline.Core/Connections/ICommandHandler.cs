using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Heartline.Core.Auth;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

/// <summary>Serves one command name. Modules register theirs with <c>AddCommand&lt;T&gt;()</c>.</summary>
public interface ICommandHandler
{
    string Name { get; }

    ValueTask HandleAsync(CommandContext context);
}

/// <summary>
/// One command being handled: the connection, the id to echo and the arguments. <see cref="Args"/> borrows the receive
/// buffer and must not be kept after the handler returns.
/// </summary>
public sealed class CommandContext(ClientConnection connection, long id, JsonElement args)
{
    public ClientConnection Connection { get; } = connection;

    public long Id { get; } = id;

    public JsonElement Args { get; } = args;

    /// <summary>Who sent the command (commands other than <c>connect</c> only run after it).</summary>
    public Principal Principal => Connection.Principal!;

    public bool Replied { get; private set; }

    public void Reply<T>(T result, JsonTypeInfo<T> info) => SendReply(FrameWriter.Reply(Id, result, info));

    public void ReplyEmpty() => SendReply(FrameWriter.EmptyReply(Id));

    internal void ReplyRaw(byte[] frame) => SendReply(frame);

    /// <summary>
    /// Records that the reply was queued by someone else (the hub queues a subscribe reply itself, in order with the
    /// channel's publications), so the dispatcher does not answer a second time.
    /// </summary>
    internal void MarkReplied()
    {
        if (Replied) throw new InvalidOperationException("A command is answered once.");
        Replied = true;
    }

    public void Error(ErrorCode code, string message) => SendReply(FrameWriter.Error(Id, code, message));

    /// <summary>An error with <c>retry_after_ms</c>: when the client may try again (a module's own rate limit, say).</summary>
    public void Error(ErrorCode code, string message, TimeSpan retryAfter) =>
        SendReply(FrameWriter.Error(Id, code, message, (long)Math.Ceiling(retryAfter.TotalMilliseconds)));

    public void Error<T>(ErrorCode code, string message, T details, JsonTypeInfo<T> info) =>
        SendReply(FrameWriter.Error(Id, code, message, details, info));

    /// <summary>Reads the arguments as <typeparamref name="T"/>; on failure replies <c>bad_request</c> and returns null.</summary>
    public T? ReadArgs<T>(JsonTypeInfo<T> info) where T : class
    {
        try
        {
            var value = Args.ValueKind == JsonValueKind.Object ? Args.Deserialize(info) : JsonSerializer.Deserialize("{}", info);
            if (value is not null) return value;
        }
        catch (JsonException ex)
        {
            Error(ErrorCodes.BadRequest, "invalid args: " + ex.Message);
            return null;
        }
        Error(ErrorCodes.BadRequest, "invalid args");
        return null;
    }

    private void SendReply(byte[] frame)
    {
        if (Replied) throw new InvalidOperationException("A command is answered once.");
        Replied = true;
        Connection.Send(frame);
    }
}
