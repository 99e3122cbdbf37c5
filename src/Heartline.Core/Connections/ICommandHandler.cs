using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Heartline.Core.Auth;
using Heartline.Core.Protocol;

namespace Heartline.Core.Connections;

/// <summary>Serves one command name. Modules register theirs with <c>AddCommand&lt;T&gt;()</c>.</summary>
internal interface ICommandHandler
{
    string Name { get; }

    ValueTask HandleAsync(CommandContext context);
}

/// <summary>
/// One command being handled: the connection, the id to echo and the arguments. <see cref="Args"/> borrows the receive
/// buffer and must not be kept after the handler returns.
/// </summary>
internal sealed class CommandContext(ClientConnection connection, long id, JsonElement args)
{
    public ClientConnection Connection { get; } = connection;

    public long Id { get; } = id;

    public JsonElement Args { get; } = args;

    /// <summary>The authenticated user (commands other than <c>connect</c> only run after it).</summary>
    public HeartlineUser User => Connection.User!;

    public bool Replied { get; private set; }

    public void Reply<T>(T result, JsonTypeInfo<T> info) => SendReply(FrameWriter.Reply(Id, result, info));

    public void ReplyEmpty() => SendReply(FrameWriter.EmptyReply(Id));

    public void ReplyRaw(byte[] frame) => SendReply(frame);

    /// <summary>
    /// Records that the reply was queued by someone else (the hub queues a subscribe reply itself, in order with the
    /// channel's publications), so the dispatcher does not answer a second time.
    /// </summary>
    public void MarkReplied()
    {
        if (Replied) throw new InvalidOperationException("A command is answered once.");
        Replied = true;
    }

    public void Error(string code, string message) => SendReply(FrameWriter.Error(Id, code, message));

    public void Error<T>(string code, string message, T details, JsonTypeInfo<T> info) =>
        SendReply(FrameWriter.Error(Id, code, message, details, info));

    /// <summary>
    /// The office a command addresses: <paramref name="requested"/> or the caller's own. Replies <c>forbidden</c> and
    /// returns false when the caller may not observe it (only admins see other offices).
    /// </summary>
    public bool TryObserveOffice(string? requested, out string office)
    {
        office = requested ?? User.OfficeKey;
        if (User.CanObserve(office)) return true;
        Error(ErrorCodes.Forbidden, "another office / 다른 사무실입니다");
        return false;
    }

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
            Error(ErrorCodes.BadRequest, "invalid args / 잘못된 인수: " + ex.Message);
            return null;
        }
        Error(ErrorCodes.BadRequest, "invalid args / 잘못된 인수");
        return null;
    }

    private void SendReply(byte[] frame)
    {
        if (Replied) throw new InvalidOperationException("A command is answered once.");
        Replied = true;
        Connection.Send(frame);
    }
}
