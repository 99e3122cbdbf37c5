using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Heartline.Client.Internal;

/// <summary>An outbound WebSocket message waiting in a connection's send queue.</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Data, bool Binary);

/// <summary>How a connection ended.</summary>
internal readonly record struct CloseInfo(int Code, string Reason)
{
    /// <summary>The local code for a socket lost without a close frame (RFC 6455 reserves 1006 for exactly this).</summary>
    public const int Abnormal = 1006;

    /// <summary>4500–4999: the server says not to reconnect without new credentials or a fixed client (protocol section 7).</summary>
    public bool IsTerminal => Code is >= 4500 and <= 4999;
}

/// <summary>Builds command frames and reads error objects.</summary>
internal static class Frames
{
    public static byte[] Command(long id, string command, Action<Utf8JsonWriter>? writeArgs)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("cmd", command);
            if (writeArgs is not null)
            {
                w.WritePropertyName("args");
                writeArgs(w);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static HeartlineException ToException(JsonElement error)
    {
        var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "internal";
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : code;
        TimeSpan? retryAfter = error.TryGetProperty("retry_after_ms", out var r) && r.TryGetInt64(out var ms)
            ? TimeSpan.FromMilliseconds(ms) : null;
        JsonElement? details = error.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d.Clone() : null;
        return new HeartlineException(code, message, retryAfter) { Details = details };
    }

    public static HeartlineException NotConnected(string detail) =>
        new(HeartlineException.NotConnected, detail);

    /// <summary>Reads a <c>Retry-After</c> header given in seconds (the form the server uses on 429).</summary>
    public static TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null) return null;
        foreach (var (name, values) in headers)
        {
            if (!name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            var value = values.FirstOrDefault();
            if (RetryConditionHeaderValue.TryParse(value, out var parsed) && parsed.Delta is { } delta) return delta;
        }
        return null;
    }
}
