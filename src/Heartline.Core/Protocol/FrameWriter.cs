using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Heartline.Core.Protocol;

/// <summary>
/// Builds outbound JSON frames (modules build their pushes with <see cref="Push{T}"/>). Each call returns one exact-size array that can be enqueued to any number of
/// connections (serialize once, send many). The writer and buffer are reused per thread.
/// </summary>
public static class FrameWriter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ResultName = JsonEncodedText.Encode("result");
    private static readonly JsonEncodedText ErrorName = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText CodeName = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText RetryAfterName = JsonEncodedText.Encode("retry_after_ms");
    internal static readonly JsonEncodedText PushName = JsonEncodedText.Encode("push");

    /// <summary>Starts a frame; call <see cref="Finish"/> with the returned writer when the object is complete.</summary>
    internal static Utf8JsonWriter Begin()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        writer.WriteStartObject();
        return writer;
    }

    internal static byte[] Finish(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
        var bytes = t_buffer!.WrittenSpan.ToArray();
        // Keep the pooled buffer from pinning memory after one unusually large frame.
        if (t_buffer.Capacity > 256 * 1024) t_buffer = null;
        return bytes;
    }

    internal static byte[] Reply<T>(long id, T result, JsonTypeInfo<T> info)
    {
        var w = Begin();
        w.WriteNumber(IdName, id);
        w.WritePropertyName(ResultName);
        JsonSerializer.Serialize(w, result, info);
        return Finish(w);
    }

    internal static byte[] EmptyReply(long id)
    {
        var w = Begin();
        w.WriteNumber(IdName, id);
        w.WritePropertyName(ResultName);
        w.WriteStartObject();
        w.WriteEndObject();
        return Finish(w);
    }

    internal static byte[] Error(long id, ErrorCode code, string message, long? retryAfterMs = null)
    {
        var w = Begin();
        w.WriteNumber(IdName, id);
        WriteError(w, code, message, retryAfterMs);
        return Finish(w);
    }

    /// <summary>An error reply whose <c>details</c> object is a serialized <typeparamref name="T"/>.</summary>
    internal static byte[] Error<T>(long id, ErrorCode code, string message, T details, JsonTypeInfo<T> info)
    {
        var w = Begin();
        w.WriteNumber(IdName, id);
        w.WritePropertyName(ErrorName);
        w.WriteStartObject();
        w.WriteString(CodeName, code.Name);
        w.WriteString(MessageName, message);
        w.WritePropertyName("details");
        JsonSerializer.Serialize(w, details, info);
        w.WriteEndObject();
        return Finish(w);
    }

    internal static byte[] ErrorPush(ErrorCode code, string message)
    {
        var w = Begin();
        w.WriteString(PushName, "error");
        WriteError(w, code, message, null);
        return Finish(w);
    }

    internal static byte[] DisconnectPush(CloseCode code, string reason)
    {
        var w = Begin();
        w.WriteString(PushName, "disconnect");
        w.WriteNumber(CodeName, code.Value);
        w.WriteString("reason", reason);
        w.WriteBoolean("reconnect", code.Reconnect);
        return Finish(w);
    }

    /// <summary>A push named <paramref name="push"/> whose remaining fields are the properties of <paramref name="body"/>.</summary>
    public static byte[] Push<T>(string push, T body, JsonTypeInfo<T> info)
    {
        var element = JsonSerializer.SerializeToElement(body, info);
        var w = Begin();
        w.WriteString(PushName, push);
        foreach (var property in element.EnumerateObject()) property.WriteTo(w);
        return Finish(w);
    }

    private static void WriteError(Utf8JsonWriter w, ErrorCode code, string message, long? retryAfterMs)
    {
        w.WritePropertyName(ErrorName);
        w.WriteStartObject();
        w.WriteString(CodeName, code.Name);
        w.WriteString(MessageName, message);
        if (retryAfterMs is { } ms) w.WriteNumber(RetryAfterName, ms);
        w.WriteEndObject();
    }
}
