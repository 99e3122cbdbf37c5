using System.Text.Json;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary><c>qna.location {lat, lng}</c> or <c>{clear: true}</c>: the user's last location (opt-in), at most one stored per interval.</summary>
internal sealed class LocationCommand(QnaStore store, INearbyUsers nearby, QnaGuard guard, TimeProvider time, IOptions<QnaOptions> options) : ICommandHandler
{
    public string Name => "qna.location";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.LocationArgs) is not { } args) return;
        var userId = context.Principal.SubjectId;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (args.Clear == true)
        {
            await store.ForgetLocationsAsync(userId, now, context.Connection.Aborted).ConfigureAwait(false);
            nearby.Forgotten(userId);
            context.Reply(new LocationReply(false, null), QnaJson.Default.LocationReply);
            return;
        }
        if (QnaInput.Point(context, args.Lat, args.Lng) is not { } point) return;
        var region = Jeju.RegionOf(point);
        var stored = await store.SetLocationAsync(userId, point, region.Code, now, options.Value.LocationMinIntervalSeconds * 1000L,
            context.Connection.Aborted).ConfigureAwait(false);
        if (stored is not null) nearby.Located(stored, region.Code, now);
        context.Reply(new LocationReply(stored is not null, new RegionView(region.Code, region.NameKo, region.NameEn)), QnaJson.Default.LocationReply);
    }
}

/// <summary><c>qna.nearby {lat, lng, radius_m, limit, offset}</c>: open questions of the last hour near a point, nearest first.</summary>
internal sealed class NearbyCommand(Nearby nearby, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.nearby";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.NearbyArgs) is not { } args) return;
        if (QnaInput.Point(context, args.Lat, args.Lng) is not { } point) return;
        if (Nearby.Problem(args.RadiusM, args.Limit, args.Offset) is { } problem)
        {
            context.Error(ErrorCodes.BadRequest, problem);
            return;
        }
        context.Reply(await nearby.FindAsync(point, args.RadiusM, args.Limit, args.Offset, context.Connection.Aborted).ConfigureAwait(false),
            QnaJson.Default.NearbyReply);
    }
}

/// <summary>Nearby questions (seed: within 3 km, the last hour, the 5 nearest), shared by the command and the HTTP API.</summary>
internal sealed class Nearby(QnaStore store, TimeProvider time, IOptions<QnaOptions> options)
{
    public const int DefaultLimit = 5, MaxLimit = 100;

    public static string? Problem(int? radius, int? limit, int? offset) =>
        radius is < 100 or > 50_000 ? "radius_m is 100–50000"
        : limit is < 1 or > MaxLimit ? $"limit is 1–{MaxLimit}"
        : offset is < 0 ? "offset is 0 or more" : null;

    public async Task<NearbyReply> FindAsync(GeoPoint point, int? radius, int? limit, int? offset, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var r = radius ?? o.NearbyRadiusMeters;
        var since = time.GetUtcNow().AddMinutes(-o.NearbyWindowMinutes).ToUnixTimeMilliseconds();
        var found = (await store.QuestionsInBoxAsync(point, r, since, cancellationToken).ConfigureAwait(false))
            .Select(q => (Question: q, Distance: q.Point.DistanceTo(point)))
            .Where(x => x.Distance <= r)
            .OrderBy(x => x.Distance).ThenByDescending(x => x.Question.CreatedAt)
            .ToList();
        return new NearbyReply([.. found.Skip(offset ?? 0).Take(limit ?? DefaultLimit).Select(x => QuestionView.Of(x.Question, x.Distance))], found.Count);
    }
}

/// <summary><c>qna.settings {…}</c>: reads (no fields) or changes the user's notification settings and expertise hashtags.</summary>
internal sealed class SettingsCommand(QnaStore store, INearbyUsers nearby, QnaGuard guard, TimeProvider time, IOptions<QnaOptions> options) : ICommandHandler
{
    public string Name => "qna.settings";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.SettingsArgs) is not { } args) return;
        var userId = context.Principal.SubjectId;
        var ct = context.Connection.Aborted;
        var (settings, expertise) = await store.SettingsAsync(userId, ct).ConfigureAwait(false);
        if (args != new SettingsArgs(null, null, null, null, null, null, null, null))
        {
            var topics = args.Topics is null ? settings.Topics : Hashtags.Normalize(args.Topics);
            var newExpertise = args.Expertise is null ? expertise : Hashtags.Normalize(args.Expertise);
            var max = options.Value.MaxHashtags;
            if (topics is null || newExpertise is null || topics.Length > max || newExpertise.Length > max)
            {
                context.Error(ErrorCodes.BadRequest, $"topics and expertise: at most {max} hashtags each, 1–{Hashtags.MaxLength} letters, digits or _");
                return;
            }
            if (args.RadiusM is < 100 or > 100_000)
            {
                context.Error(ErrorCodes.BadRequest, "radius_m is 100–100000");
                return;
            }
            if ((args.QuietStart is { } qs && !Notifier.TryParseClock(qs, out _)) || (args.QuietEnd is { } qe && !Notifier.TryParseClock(qe, out _)))
            {
                context.Error(ErrorCodes.BadRequest, "quiet_start and quiet_end are times of day as HH:mm, or empty");
                return;
            }
            settings = new UserSettings(args.Notify ?? settings.Notify, args.RadiusM ?? settings.RadiusMeters,
                args.QuietStart is null ? settings.QuietStart : Empty(args.QuietStart), args.QuietEnd is null ? settings.QuietEnd : Empty(args.QuietEnd),
                topics, args.InApp ?? settings.InApp, args.Push ?? settings.Push);
            expertise = newExpertise;
            await store.SaveSettingsAsync(userId, settings, expertise, time.GetUtcNow().ToUnixTimeMilliseconds(), ct).ConfigureAwait(false);
            nearby.SettingsChanged(userId, settings);
        }
        context.Reply(new SettingsReply(settings.Notify, settings.RadiusMeters, settings.QuietStart, settings.QuietEnd, settings.Topics,
            settings.InApp, settings.Push, expertise), QnaJson.Default.SettingsReply);
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}

/// <summary><c>qna.notifications {before, limit}</c>: the user's notification history, newest first, with read state.</summary>
internal sealed class NotificationsCommand(QnaStore store, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.notifications";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.NotificationsArgs) is not { } args) return;
        if (args.Limit is < 1 or > 100)
        {
            context.Error(ErrorCodes.BadRequest, "limit is 1–100");
            return;
        }
        var userId = context.Principal.SubjectId;
        var ct = context.Connection.Aborted;
        var rows = await store.NotificationsAsync(userId, args.Before, args.Limit ?? 20, ct).ConfigureAwait(false);
        var questions = (await store.QuestionsAsync(rows.Where(r => r.Payload is null).Select(r => r.QuestionId), ct).ConfigureAwait(false))
            .ToDictionary(q => q.Id, StringComparer.Ordinal);
        var unread = await store.UnreadNotificationsAsync(userId, ct).ConfigureAwait(false);
        var items = new List<NotificationItem>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Payload is { } payload) items.Add(new NotificationItem(JsonDocument.Parse(payload).RootElement.Clone(), row.ReadAt));
            else if (questions.TryGetValue(row.QuestionId, out var question))
                items.Add(new NotificationItem(JsonSerializer.SerializeToElement(
                    Notifier.QuestionNotification(row.Id, question, (int)(row.Tier ?? 0), row.DistanceM, row.CreatedAt), QnaJson.Default.NotificationView), row.ReadAt));
        }
        context.Reply(new NotificationsReply([.. items], unread), QnaJson.Default.NotificationsReply);
    }
}

/// <summary><c>qna.notifications_read {ids}</c>: marks notifications read (all when ids is absent) on every device of the user.</summary>
internal sealed class NotificationsReadCommand(QnaStore store, IChannels channels, QnaGuard guard, TimeProvider time) : ICommandHandler
{
    public string Name => "qna.notifications_read";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.NotificationsReadArgs) is not { } args) return;
        if (args.Ids is { } ids && (ids.Length is 0 or > 100 || ids.Any(id => id is not { Length: > 0 and <= QnaInput.MaxIdLength })))
        {
            context.Error(ErrorCodes.BadRequest, "ids: 1–100 notification ids, or absent for all");
            return;
        }
        var userId = context.Principal.SubjectId;
        var changed = await store.MarkNotificationsReadAsync(userId, args.Ids, time.GetUtcNow().ToUnixTimeMilliseconds(), context.Connection.Aborted)
            .ConfigureAwait(false);
        context.Reply(new CountReply(changed), QnaJson.Default.CountReply);
        if (changed > 0) channels.Publish(Notifier.Inbox(userId), new InboxEvent("read", Ids: args.Ids ?? []), QnaJson.Default.InboxEvent);
    }
}

/// <summary><c>qna.points</c>: the user's points balance (the sum of the ledger).</summary>
internal sealed class PointsCommand(QnaStore store, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.points";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false)) return;
        context.Reply(new PointsReply(await store.PointsAsync(context.Principal.SubjectId, context.Connection.Aborted).ConfigureAwait(false)),
            QnaJson.Default.PointsReply);
    }
}
