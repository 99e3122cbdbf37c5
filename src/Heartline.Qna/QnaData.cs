namespace Heartline.Qna;

/// <summary>A question as stored. Hashtags are space-separated, normalized (<see cref="Hashtags"/>).</summary>
internal sealed record QuestionRow(string Id, string AskerId, string AskerName, string Body, string Hashtags, double Lat, double Lng,
    string Region, string Urgency, string Status, long AnswerCount, long CreatedAt, long? FirstAnswerAt, string? AcceptedAnswerId,
    long? AcceptedAt, long? ClosedAt)
{
    public GeoPoint Point => new(Lat, Lng);

    public string[] Tags => Heartline.Qna.Hashtags.Split(Hashtags);

    public bool IsOpenForAnswers => Status != QuestionStatus.Closed;
}

internal sealed record AnswerRow(string Id, string QuestionId, long Seq, string AuthorId, string AuthorName, string Body, long CreatedAt);

/// <summary>A user's notification settings (defaults until the user changes them).</summary>
internal sealed record UserSettings(bool Notify, int RadiusMeters, string? QuietStart, string? QuietEnd, string[] Topics, bool InApp, bool Push)
{
    public static readonly UserSettings Default = new(true, 100_000, null, null, [], true, true);
}

/// <summary>A user who might be told of a question: where they were last, and their settings.</summary>
internal sealed record CandidateRow(string UserId, double? Lat, double? Lng, long Notify, long RadiusM, string? QuietStart,
    string? QuietEnd, string? Topics, long InApp, long Push)
{
    public GeoPoint? Point => Lat is { } lat && Lng is { } lng ? new GeoPoint(lat, lng) : null;

    public UserSettings Settings => new(Notify != 0, (int)RadiusM, QuietStart, QuietEnd, Heartline.Qna.Hashtags.Split(Topics), InApp != 0, Push != 0);
}

/// <summary>A tier job as the runner reads it.</summary>
internal sealed record JobRow(string Id, string QuestionId, long Tier, long DueAt, long Attempts);

/// <summary>An entry of a user's history as read: a stored payload, or (a question a tier told of) the tier and distance.</summary>
/// <remarks>Properties, not a constructor: SQLite reports a NULL column of a UNION as a blob, which constructor mapping refuses.</remarks>
internal sealed class HistoryRow
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    public string QuestionId { get; init; } = "";
    public string? Priority { get; init; }
    public string? Payload { get; init; }
    public long CreatedAt { get; init; }
    public long? ReadAt { get; init; }
    public long? Tier { get; init; }
    public long? DistanceM { get; init; }
}

/// <summary>One stored notification (answers and acceptances) of a user's history.</summary>
internal sealed record NotificationRow(string Id, string UserId, string Kind, string? QuestionId, string Priority, string Payload,
    long CreatedAt, long? ReadAt);

internal static class QuestionStatus
{
    public const string Open = "open", Answered = "answered", Accepted = "accepted", Closed = "closed";
}

/// <summary>The seed's notification priorities: CRITICAL is reserved; HIGH urgent questions; NORMAL questions and answers; LOW system messages.</summary>
internal static class Priorities
{
    public const string Critical = "critical", High = "high", Normal = "normal", Low = "low";
}

/// <summary>Hashtags: 1–30 letters, digits or underscores, a leading <c>#</c> dropped, compared case-insensitively.</summary>
internal static class Hashtags
{
    public const int MaxLength = 30;

    /// <summary>Normalizes <paramref name="tags"/>; null when one is malformed. Duplicates are dropped.</summary>
    public static string[]? Normalize(IEnumerable<string>? tags)
    {
        var result = new List<string>();
        foreach (var raw in tags ?? [])
        {
            var tag = (raw ?? "").Trim().TrimStart('#').ToLowerInvariant();
            if (tag.Length is 0 or > MaxLength) return null;
            foreach (var ch in tag)
            {
                if (!(char.IsLetterOrDigit(ch) || ch == '_')) return null;
            }
            if (!result.Contains(tag)) result.Add(tag);
        }
        return [.. result];
    }

    public static string Join(IEnumerable<string> tags) => string.Join(' ', tags);

    public static string[] Split(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
