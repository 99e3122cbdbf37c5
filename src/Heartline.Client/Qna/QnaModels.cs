using System.Text.Json;

namespace Heartline.Client.Qna;

/// <summary>A region of Jeju as the server names it.</summary>
public sealed record QnaRegion(string Code, string NameKo, string NameEn);

/// <summary>A question (docs/qna.md); <see cref="DistanceM"/> is set in nearby lists and notifications.</summary>
public sealed record QnaQuestion(string Id, string AskerId, string AskerName, string Body, string[] Hashtags, double Lat, double Lng,
    QnaRegion Region, string Urgency, string Status, long AnswerCount, long CreatedAt, long? FirstAnswerAt, string? AcceptedAnswerId,
    long? DistanceM);

/// <summary>An answer; <see cref="Seq"/> numbers a question's answers from 1.</summary>
public sealed record QnaAnswer(string Id, string QuestionId, long Seq, string AuthorId, string AuthorName, string Body, long CreatedAt);

/// <summary>
/// A notification: <see cref="Kind"/> <c>question</c> (a tier told you of a question), <c>answer</c> (to your
/// question) or <c>accepted</c> (your answer); <see cref="Priority"/> <c>high</c> means the strong cue.
/// </summary>
public sealed record QnaNotification(string Id, string Kind, string Priority, string Sound, string Vibration, QnaQuestion Question,
    long CreatedAt, int? Tier, long? DistanceM, QnaAnswer? Answer, long? Points);

/// <summary>A question's unread answers for this user changed (on any of its devices).</summary>
public sealed record QnaUnread(string QuestionId, long Unread);

/// <summary>Someone with a question's room open (<see cref="QnaClient.ViewersAsync"/>).</summary>
public sealed record QnaViewer(string UserId, string Name);

/// <summary>
/// Something happened in an open room: <see cref="Type"/> <c>answer</c>, <c>accepted</c>, <c>receipt</c>,
/// <c>closed</c>, or <c>typing</c> (a signal: <see cref="Typing"/> and <see cref="Name"/> set).
/// </summary>
public sealed record QnaRoomEvent(string QuestionId, string Type, QnaAnswer? Answer, string? AnswerId, string? UserId, string? Name,
    bool? Typing, long? DeliveredSeq, long? ReadSeq, long? Points);

/// <summary>Where a question stands: the question, its answers, and each participant's delivered and read positions.</summary>
public sealed record QnaQuestionState(QnaQuestion Question, QnaAnswer[] Answers, JsonElement Reads, string Channel);
