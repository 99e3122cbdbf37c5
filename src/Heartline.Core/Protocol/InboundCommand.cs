using System.Text.Json;

namespace Heartline.Core.Protocol;

/// <summary>A parsed command frame. <see cref="Args"/> borrows the receive buffer and is valid only while handled.</summary>
internal readonly record struct InboundCommand(long Id, string Command, JsonElement Args);

internal static class InboundParser
{
    private const long MaxId = (1L << 53) - 1;

    /// <summary>
    /// Parses <c>{"id", "cmd", "args"}</c>. On failure returns false with the id when one could be read (so the
    /// error can be a reply) and a short reason.
    /// </summary>
    public static bool TryParse(JsonDocument document, ReadOnlySpan<byte> raw, out InboundCommand command, out long id, out string? error)
    {
        command = default;
        id = 0;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "a frame must be a JSON object";
            return false;
        }
        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number
            || !idElement.TryGetInt64(out id) || id < 1 || id > MaxId)
        {
            id = 0;
            error = "\"id\" must be an integer from 1 to 2^53-1";
            return false;
        }
        // A lone surrogate (\ud800) is valid JSON grammar but no string: reading it throws, and forwarding it breaks
        // every client that decodes it. Only frames with an escape are walked, so ordinary frames pay one scan.
        if (raw.IndexOf("\\u"u8) >= 0 && !AllStringsValid(root))
        {
            error = "strings must be valid UTF-16 (no lone surrogate escapes)";
            return false;
        }
        if (!root.TryGetProperty("cmd", out var cmdElement) || cmdElement.ValueKind != JsonValueKind.String
            || cmdElement.GetString() is not { Length: > 0 and <= 64 } name)
        {
            error = "\"cmd\" must be a non-empty string";
            return false;
        }
        JsonElement args = default;
        if (root.TryGetProperty("args", out var argsElement))
        {
            if (argsElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                error = "\"args\" must be an object";
                return false;
            }
            if (argsElement.ValueKind == JsonValueKind.Object) args = argsElement;
        }
        command = new InboundCommand(id, name, args);
        error = null;
        return true;
    }

    private static bool AllStringsValid(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!Walk(property.Value)) return false;
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        if (!Walk(item)) return false;
                    return true;
                default:
                    return true;
            }
        }
    }
}
