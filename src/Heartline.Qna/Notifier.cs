using System.Globalization;
using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Core.Presence;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// Tells users of questions, answers and accepted answers: the tiers' choice of recipients (nearest first, each user
/// once, never the asker, everyone's settings respected), the history row and the live push in the user's inbox
/// <c>qna:u.{user}</c>, and the unread counts that keep a user's devices in step.
/// </summary>
internal sealed class Notifier(QnaStore store, INearbyUsers nearby, IChannels channels, IPresence presence, WebPushSender webPush, TimeProvider time,
    IOptions<QnaOptions> options, QnaMetrics metrics)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public static string Inbox(string userId) => "qna:u." + userId;

    public static string Room(string questionId) => "qna:q." + questionId;

    /// <summary>Runs tier <paramref name="tier"/> of <paramref name="question"/>; returns how many users it told.</summary>
    public async Task<int> RunTierAsync(QuestionRow question, int tier, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var started = time.GetTimestamp();
        var since = now.AddHours(-o.LocationRetentionHours).ToUnixTimeMilliseconds();
        var candidates = tier switch
        {
            1 => await nearby.NearAsync(question, o.Tier1RadiusMeters, since, excludeTold: false, cancellationToken).ConfigureAwait(false),
            2 => await nearby.NearAsync(question, o.Tier2RadiusMeters, since, excludeTold: true, cancellationToken).ConfigureAwait(false),
            3 => await store.CandidatesByExpertiseAsync(question, question.Tags, cancellationToken).ConfigureAwait(false),
            4 => await nearby.InRegionAsync(question, since, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(tier)),
        };
        var radius = tier switch { 1 => o.Tier1RadiusMeters, 2 => o.Tier2RadiusMeters, _ => double.MaxValue };
        var localTime = TimeZoneInfo.ConvertTime(now, _zone).TimeOfDay;
        // Distances first (cheap), nearest first, then each one's settings only until the tier has its count.
        var chosen = NearestFirst(candidates, question.Point, radius)
            .Select(x => (x.Candidate, x.Distance, Settings: x.Candidate.Settings))
            .Where(x => Wants(x.Settings, question, tier, x.Distance, localTime))
            .Take(tier == 1 ? o.Tier1Count : o.MaxPerTier)
            .Select(x => new Recipient(x.Candidate.UserId, x.Distance, x.Settings.InApp, x.Settings.Push))
            .ToList();
        metrics.Lookup.Record(time.GetElapsedTime(started).TotalMilliseconds);
        if (chosen.Count == 0) return 0;

        var at = now.ToUnixTimeMilliseconds();
        var views = chosen.ToDictionary(r => r.UserId,
            r => QuestionNotification(NewId(), question, tier, r.DistanceMeters is { } d ? (long)Math.Round(d) : null, at));
        var told = await store.MarkNotifiedAsync(question.Id, tier, chosen, r => views[r.UserId].Id, at,
            cancellationToken).ConfigureAwait(false);
        foreach (var recipient in told)
        {
            if (recipient.InApp) channels.Publish(Inbox(recipient.UserId), new InboxEvent("notification", views[recipient.UserId]), QnaJson.Default.InboxEvent);
        }
        foreach (var recipient in told)
        {
            if (recipient.Push) await PushIfAwayAsync(recipient.UserId, views[recipient.UserId], cancellationToken).ConfigureAwait(false);
        }
        if (tier == 1) metrics.Tier1Delay.Record(time.GetUtcNow().ToUnixTimeMilliseconds() - question.CreatedAt);
        metrics.Notified(tier, told.Count);
        return told.Count;
    }

    /// <summary>An answer in its room (before the answerer's reply, so a client that has the reply finds it in the room).</summary>
    public void PublishAnswer(AnswerAdded added) =>
        channels.Publish(Room(added.Question.Id), new RoomEvent("answer", Answer: AnswerView.Of(added.Answer)), QnaJson.Default.RoomEvent);

    /// <summary>After an answer: the asker gets a notification (NORMAL), every other participant an unread count.</summary>
    public async Task AnswerAddedAsync(AnswerAdded added, CancellationToken cancellationToken)
    {
        var answer = AnswerView.Of(added.Answer);
        var question = added.Question;
        if (question.AskerId != added.Answer.AuthorId)
        {
            var preview = answer with { Body = Preview(answer.Body) };
            await SendAsync(question.AskerId, new NotificationView(NewId(), "answer", Priorities.Normal, "normal", "light",
                QuestionView.Of(question), added.Answer.CreatedAt, Answer: preview), question.Id, cancellationToken).ConfigureAwait(false);
        }
        foreach (var participant in await store.ParticipantsAsync(question.Id, cancellationToken).ConfigureAwait(false))
        {
            if (participant != added.Answer.AuthorId) await PublishUnreadAsync(participant, question.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An accepted answer: the room learns it (<see cref="PublishAccepted"/>), the answerer gets a system notification (LOW) with the points.</summary>
    public void PublishAccepted(QuestionRow question, AnswerRow answer, int points) =>
        channels.Publish(Room(question.Id), new RoomEvent("accepted", AnswerId: answer.Id, UserId: answer.AuthorId, Points: points), QnaJson.Default.RoomEvent);

    public async Task AcceptedAsync(QuestionRow question, AnswerRow answer, int points, CancellationToken cancellationToken)
    {
        await SendAsync(answer.AuthorId, new NotificationView(NewId(), "accepted", Priorities.Low, "none", "none",
            QuestionView.Of(question with { Status = QuestionStatus.Accepted, AcceptedAnswerId = answer.Id }), time.GetUtcNow().ToUnixTimeMilliseconds(),
            Answer: AnswerView.Of(answer) with { Body = Preview(answer.Body) }, Points: points), question.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes a user's unread count for one question to all of the user's devices.</summary>
    public async Task PublishUnreadAsync(string userId, string questionId, CancellationToken cancellationToken)
    {
        var unread = await store.UnreadAsync(userId, questionId, cancellationToken).ConfigureAwait(false);
        channels.Publish(Inbox(userId), new InboxEvent("unread", QuestionId: questionId, Unread: unread.Count == 0 ? 0 : unread[0].Unread),
            QnaJson.Default.InboxEvent);
    }

    private async Task SendAsync(string userId, NotificationView view, string questionId, CancellationToken cancellationToken)
    {
        await store.AddNotificationAsync(Row(userId, view, questionId), cancellationToken).ConfigureAwait(false);
        var (settings, _) = await store.SettingsAsync(userId, cancellationToken).ConfigureAwait(false);
        if (settings.InApp) channels.Publish(Inbox(userId), new InboxEvent("notification", view), QnaJson.Default.InboxEvent);
        if (settings.Push) await PushIfAwayAsync(userId, view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Web Push, for a user with no open connection on any node (a connected one has the inbox).</summary>
    private async Task PushIfAwayAsync(string userId, NotificationView view, CancellationToken cancellationToken)
    {
        if (webPush.Enabled && !await presence.IsConnectedAsync(userId, cancellationToken).ConfigureAwait(false)) webPush.Enqueue(userId, view);
    }

    /// <summary>
    /// The candidates within <paramref name="radius"/>, nearest first (those without a location last), ties by user id.
    /// A heap, not a sort: a tier stops after its count, and tier 1 takes 10 of several hundred.
    /// </summary>
    internal static IEnumerable<(CandidateRow Candidate, double? Distance)> NearestFirst(IReadOnlyList<CandidateRow> candidates, GeoPoint at, double radius)
    {
        var queue = new PriorityQueue<CandidateRow, (double Distance, string UserId)>(candidates.Count, NearestComparer);
        foreach (var c in candidates)
        {
            var distance = c.Point is { } p ? p.DistanceTo(at) : (double?)null;
            if ((distance ?? 0) <= radius) queue.Enqueue(c, (distance ?? double.MaxValue, c.UserId));
        }
        while (queue.TryDequeue(out var candidate, out var key))
            yield return (candidate, key.Distance == double.MaxValue ? null : key.Distance);
    }

    private static readonly Comparer<(double Distance, string UserId)> NearestComparer = Comparer<(double Distance, string UserId)>.Create(
        static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : string.CompareOrdinal(a.UserId, b.UserId));

    /// <summary>Whether the user's settings let this question through (<paramref name="localTime"/>: now in the configured zone, for quiet hours).</summary>
    internal static bool Wants(UserSettings settings, QuestionRow question, int tier, double? distance, TimeSpan localTime)
    {
        if (!settings.Notify || !(settings.InApp || settings.Push)) return false;
        // The radius narrows the location tiers; expertise hashtags opt in to questions anywhere on Jeju (tier 3).
        if (tier != 3 && distance is { } d && d > settings.RadiusMeters) return false;
        if (settings.Topics.Length > 0 && !settings.Topics.Intersect(question.Tags).Any()) return false;
        return !InQuietHours(settings, localTime);
    }

    internal static bool InQuietHours(UserSettings settings, TimeSpan localTime)
    {
        if (!TryParseClock(settings.QuietStart, out var start) || !TryParseClock(settings.QuietEnd, out var end) || start == end) return false;
        return start < end ? localTime >= start && localTime < end : localTime >= start || localTime < end;
    }

    internal static bool TryParseClock(string? text, out TimeSpan value) =>
        TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out value) && value < TimeSpan.FromDays(1);

    /// <summary>A tier's notification as the history rebuilds it from the question (its current state) and the stored tier and distance.</summary>
    public static NotificationView QuestionNotification(string id, QuestionRow question, int tier, long? distanceM, long at)
    {
        var urgent = question.Urgency == Urgencies.Urgent;
        return new NotificationView(id, "question", urgent ? Priorities.High : Priorities.Normal, urgent ? "urgent" : "normal", urgent ? "strong" : "light",
            QuestionView.Of(question, distanceM), at, tier, distanceM);
    }

    private static NotificationRow Row(string userId, NotificationView view, string questionId) =>
        new(view.Id, userId, view.Kind, questionId, view.Priority, JsonSerializer.Serialize(view, QnaJson.Default.NotificationView), view.CreatedAt, null);

    private static string Preview(string body) =>
        body.Length <= 100 ? body : body[..(char.IsHighSurrogate(body[99]) ? 99 : 100)];

    private string NewId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}

internal static class Urgencies
{
    public const string Normal = "normal", Urgent = "urgent";
}
