using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Qna;

// Commands' arguments.
internal sealed record AskArgs(string? Body, string[]? Hashtags, double? Lat, double? Lng, string? Urgency);
internal sealed record AnswerArgs(string? QuestionId, string? Body);
internal sealed record AnswerIdArgs(string? AnswerId);
internal sealed record QuestionIdArgs(string? QuestionId);
internal sealed record TypingArgs(string? QuestionId, bool? Typing);
internal sealed record ReceiptArgs(string? QuestionId, long? DeliveredSeq, long? ReadSeq);
internal sealed record LocationArgs(double? Lat, double? Lng, bool? Clear);
internal sealed record NearbyArgs(double? Lat, double? Lng, int? RadiusM, int? Limit, int? Offset);
internal sealed record SettingsArgs(bool? Notify, int? RadiusM, string? QuietStart, string? QuietEnd, string[]? Topics, bool? InApp,
    bool? Push, string[]? Expertise);
internal sealed record NotificationsArgs(long? Before, int? Limit);
internal sealed record NotificationsReadArgs(string[]? Ids);
internal sealed record BlockBody(string? Reason);
internal sealed record PushSubscribeArgs(string? Endpoint, string? P256dh, string? Auth);

// What the server sends.
internal sealed record RegionView(string Code, string NameKo, string NameEn);
internal sealed record RegionInfo(string Code, string NameKo, string NameEn, double Lat, double Lng);

internal sealed record QuestionView(string Id, string AskerId, string AskerName, string Body, string[] Hashtags, double Lat, double Lng,
    RegionView Region, string Urgency, string Status, long AnswerCount, long CreatedAt, long? FirstAnswerAt, string? AcceptedAnswerId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DistanceM)
{
    public static QuestionView Of(QuestionRow q, double? distance = null)
    {
        var region = Jeju.FindRegion(q.Region) ?? Jeju.Regions[0];
        return new(q.Id, q.AskerId, q.AskerName, q.Body, q.Tags, q.Lat, q.Lng, new RegionView(region.Code, region.NameKo, region.NameEn),
            q.Urgency, q.Status, q.AnswerCount, q.CreatedAt, q.FirstAnswerAt, q.AcceptedAnswerId, distance is { } d ? (long)Math.Round(d) : null);
    }
}

internal sealed record AnswerView(string Id, string QuestionId, long Seq, string AuthorId, string AuthorName, string Body, long CreatedAt)
{
    public static AnswerView Of(AnswerRow a) => new(a.Id, a.QuestionId, a.Seq, a.AuthorId, a.AuthorName, a.Body, a.CreatedAt);
}

internal sealed record ReadView(string UserId, long DeliveredSeq, long ReadSeq);

/// <summary>A publication in a question's room, <c>qna:q.{id}</c>: type answer, accepted, receipt or closed.</summary>
internal sealed record RoomEvent(string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AnswerView? Answer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AnswerId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DeliveredSeq = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ReadSeq = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Points = null);

/// <summary>A signal in a question's room: someone started or stopped typing.</summary>
internal sealed record TypingSignal(string Type, string QuestionId, string UserId, string Name, bool Typing);

/// <summary>
/// A notification, as pushed in the user's inbox <c>qna:u.{user}</c> and kept in the history: kind question (a tier told
/// the user of a question), answer (to the asker) or accepted (to the answerer); the client picks its cue from
/// priority, sound and vibration.
/// </summary>
internal sealed record NotificationView(string Id, string Kind, string Priority, string Sound, string Vibration, QuestionView Question,
    long CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Tier = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DistanceM = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AnswerView? Answer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Points = null);

/// <summary>A publication in a user's inbox: type notification, unread (a question's unread count) or read (notifications read elsewhere).</summary>
internal sealed record InboxEvent(string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NotificationView? Notification = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? QuestionId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Unread = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Ids = null);

internal sealed record AskReply(QuestionView Question, string Channel);
internal sealed record AnswerReply(AnswerView Answer);
internal sealed record AcceptReply(string AnswerId, string AuthorId, long Points);
internal sealed record QuestionReply(QuestionView Question, AnswerView[] Answers, ReadView[] Reads, string Channel);
internal sealed record ReceiptReply(long DeliveredSeq, long ReadSeq);
internal sealed record UnreadEntry(string QuestionId, long Unread);
internal sealed record UnreadReply(UnreadEntry[] Questions, long Notifications);
internal sealed record LocationReply(bool Stored, RegionView? Region);
internal sealed record NearbyReply(QuestionView[] Questions, int Total);
internal sealed record SettingsReply(bool Notify, int RadiusM, string? QuietStart, string? QuietEnd, string[] Topics, bool InApp, bool Push,
    string[] Expertise);
internal sealed record NotificationItem(JsonElement Notification, long? ReadAt);
internal sealed record NotificationsReply(NotificationItem[] Items, long Unread);
internal sealed record CountReply(long Count);
internal sealed record PushKeyReply(string PublicKey, bool Enabled);
internal sealed record PointsReply(long Points);
internal sealed record NotifiedView(string UserId, long Tier);
internal sealed record JobView(long Tier, long? DoneAt, string? Outcome, long Attempts);
internal sealed record DeliveryReport(string QuestionId, NotifiedView[] Notified, JobView[] Jobs);
internal sealed record BlockView(string Kind, string Value);
internal sealed record RegionRow(RegionView Region, long Asked, long Answered, double? MeanFirstAnswerSeconds);
internal sealed record QnaOverview(long Since, long OpenQuestions, long Asked, long Answered, long Unanswered, double? AnsweredWithin1MinRate,
    double? AnsweredWithin5MinRate, double? AnsweredWithin10MinRate, RegionRow[] Regions, QuestionView[] Slow, long PendingJobs, long WebPushQueued);
internal sealed record BlockEvent(string Kind, string Value, string? Reason);
internal sealed record QnaStatsView(long PendingJobs, long TiersRun, long Notified, long QuestionsAsked, long Answers, long Accepted, long WebPushSent,
    long WebPushFailed, long WebPushDropped, double LookupP50Ms, double LookupP99Ms, double Tier1DelayP50Ms, double Tier1DelayP99Ms);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AskArgs))]
[JsonSerializable(typeof(AnswerArgs))]
[JsonSerializable(typeof(AnswerIdArgs))]
[JsonSerializable(typeof(QuestionIdArgs))]
[JsonSerializable(typeof(TypingArgs))]
[JsonSerializable(typeof(ReceiptArgs))]
[JsonSerializable(typeof(LocationArgs))]
[JsonSerializable(typeof(NearbyArgs))]
[JsonSerializable(typeof(SettingsArgs))]
[JsonSerializable(typeof(NotificationsArgs))]
[JsonSerializable(typeof(NotificationsReadArgs))]
[JsonSerializable(typeof(BlockBody))]
[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(TypingSignal))]
[JsonSerializable(typeof(InboxEvent))]
[JsonSerializable(typeof(NotificationView))]
[JsonSerializable(typeof(AskReply))]
[JsonSerializable(typeof(AnswerReply))]
[JsonSerializable(typeof(AcceptReply))]
[JsonSerializable(typeof(QuestionReply))]
[JsonSerializable(typeof(ReceiptReply))]
[JsonSerializable(typeof(UnreadReply))]
[JsonSerializable(typeof(LocationReply))]
[JsonSerializable(typeof(NearbyReply))]
[JsonSerializable(typeof(SettingsReply))]
[JsonSerializable(typeof(NotificationsReply))]
[JsonSerializable(typeof(CountReply))]
[JsonSerializable(typeof(PointsReply))]
[JsonSerializable(typeof(DeliveryReport))]
[JsonSerializable(typeof(BlockView[]))]
[JsonSerializable(typeof(BlockEvent))]
[JsonSerializable(typeof(RegionInfo[]))]
[JsonSerializable(typeof(QnaStatsView))]
[JsonSerializable(typeof(WebPushPayload))]
[JsonSerializable(typeof(SlowResponseAlert))]
[JsonSerializable(typeof(QnaOverview))]
[JsonSerializable(typeof(PushSubscribeArgs))]
[JsonSerializable(typeof(PushKeyReply))]
internal sealed partial class QnaJson : JsonSerializerContext;
