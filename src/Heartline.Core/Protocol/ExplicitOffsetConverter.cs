using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Core.Protocol;

/// <summary>
/// Reads a <see cref="DateTimeOffset"/> only when the text names its offset (<c>Z</c> or <c>±hh:mm</c>). Without one,
/// System.Text.Json would take the server's local time zone, so the same request would mean different instants on
/// differently configured hosts (a Korean admin's 14:00 shifted by up to nine hours). Writes as the default does.
/// </summary>
internal sealed class ExplicitOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException("a time must be an ISO 8601 string such as 2026-02-05T14:00:00+09:00");
        var text = reader.GetString()!;
        if (!HasOffset(text))
            throw new JsonException($"'{Shorten(text)}' has no UTC offset; write it as 2026-02-05T14:00:00+09:00 or 2026-02-05T05:00:00Z");
        return reader.GetDateTimeOffset();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    /// <summary>True when the text has a time part ending in <c>Z</c> or <c>±hh:mm</c>.</summary>
    internal static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (t < 0) return false;
        var time = text.AsSpan(t + 1);
        if (time.EndsWith("Z") || time.EndsWith("z")) return true;
        return time.Length >= 6 && time[^6] is '+' or '-' && time[^3] == ':';
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
