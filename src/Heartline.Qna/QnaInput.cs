using System.Text;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Qna;

/// <summary>
/// Validation of what clients send, answering <c>bad_request</c> (or <c>qna_outside_jeju</c>, <c>qna_spam</c>) with the
/// rule broken. Text is stored as given (pages encode it on output); it is refused, never rewritten.
/// </summary>
internal static class QnaInput
{
    public const int MaxIdLength = 64;

    public static string? Id(CommandContext context, string? value, string name)
    {
        if (value is { Length: > 0 and <= MaxIdLength }) return value;
        context.Error(ErrorCodes.BadRequest, name + " is required");
        return null;
    }

    /// <summary>1–<paramref name="max"/> characters (Unicode scalar values), not only spaces, no control characters but line breaks and tabs.</summary>
    public static string? Text(CommandContext context, string? value, int max, QnaOptions options, string name)
    {
        if (TextProblem(value, max, name) is { } problem)
        {
            context.Error(ErrorCodes.BadRequest, problem);
            return null;
        }
        if (SpamPhrase(value!, options) is { } phrase)
        {
            context.Error(QnaErrors.Spam, $"{name} contains \"{phrase}\", which this service does not accept");
            return null;
        }
        return value;
    }

    public static string? TextProblem(string? value, int max, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return name + " is required";
        var length = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            length++;
            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\r' or '\t')) return name + " contains a control character";
        }
        return length > max ? $"{name} is longer than {max} characters" : null;
    }

    public static string? SpamPhrase(string text, QnaOptions options) =>
        options.SpamPhrases.FirstOrDefault(p => p.Length > 0 && text.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>A location inside Jeju, rounded to about 100 m.</summary>
    public static GeoPoint? Point(CommandContext context, double? lat, double? lng)
    {
        if (lat is not { } la || lng is not { } ln || !double.IsFinite(la) || !double.IsFinite(ln) || la is < -90 or > 90 || ln is < -180 or > 180)
        {
            context.Error(ErrorCodes.BadRequest, "lat and lng are required: degrees (WGS 84)");
            return null;
        }
        var point = new GeoPoint(la, ln);
        if (!Jeju.Contains(point))
        {
            context.Error(QnaErrors.OutsideJeju, "the location is outside Jeju; the service covers Jeju only");
            return null;
        }
        return point.Rounded();
    }
}
