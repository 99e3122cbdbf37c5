using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Modules;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary><c>qna.ask {body, hashtags, lat, lng, urgency}</c>: stores a question, starts its tiers; the reply names its room.</summary>
internal sealed class AskCommand(QnaStore store, TierJobs jobs, QnaGuard guard, HeartlineNode node, TimeProvider time, IOptions<QnaOptions> options,
    QnaMetrics metrics) : ICommandHandler
{
    public string Name => "qna.ask";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.AskArgs) is not { } args) return;
        var o = options.Value;
        if (QnaInput.Text(context, args.Body, o.MaxBodyLength, o, "body") is not { } body) return;
        var tags = Hashtags.Normalize(args.Hashtags);
        if (tags is null || tags.Length > o.MaxHashtags)
        {
            context.Error(ErrorCodes.BadRequest, $"hashtags: at most {o.MaxHashtags}, each 1–{Hashtags.MaxLength} letters, digits or _");
            return;
        }
        var urgency = args.Urgency ?? Urgencies.Normal;
        if (urgency is not (Urgencies.Normal or Urgencies.Urgent))
        {
            context.Error(ErrorCodes.BadRequest, "urgency is normal or urgent");
            return;
        }
        if (QnaInput.Point(context, args.Lat, args.Lng) is not { } point) return;
        var now = time.GetUtcNow();
        var principal = context.Principal;
        var question = new QuestionRow(Guid.CreateVersion7(now).ToString("N"), principal.SubjectId, principal.Name, body, Hashtags.Join(tags),
            point.Lat, point.Lng, Jeju.RegionOf(point).Code, urgency, QuestionStatus.Open, 0, now.ToUnixTimeMilliseconds(), null, null, null, null);
        var tiers = TierJobs.For(question.Id, question.CreatedAt, o, () => Guid.CreateVersion7(now).ToString("N"));
        await store.CreateQuestionAsync(question, tiers, node.NodeId, question.CreatedAt + o.JobClaimSeconds * 1000L, context.Connection.Aborted)
            .ConfigureAwait(false);
        metrics.QuestionAsked();
        context.Reply(new AskReply(QuestionView.Of(question), Notifier.Room(question.Id)), QnaJson.Default.AskReply);
        jobs.Schedule(question, tiers);
    }
}

/// <summary><c>qna.answer {question_id, body}</c>: adds an answer to an open question.</summary>
internal sealed class AnswerCommand(QnaStore store, Notifier notifier, QnaGuard guard, TimeProvider time, IOptions<QnaOptions> options,
    QnaMetrics metrics) : ICommandHandler
{
    public string Name => "qna.answer";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.AnswerArgs) is not { } args) return;
        if (QnaInput.Id(context, args.QuestionId, "question_id") is not { } questionId) return;
        if (QnaInput.Text(context, args.Body, options.Value.MaxAnswerLength, options.Value, "body") is not { } body) return;
        var now = time.GetUtcNow();
        var principal = context.Principal;
        var added = await store.AddAnswerAsync(questionId, Guid.CreateVersion7(now).ToString("N"), principal.SubjectId, principal.Name, body,
            now.ToUnixTimeMilliseconds(), context.Connection.Aborted).ConfigureAwait(false);
        if (added is null)
        {
            context.Error(QnaErrors.NotFound, "no such question");
            return;
        }
        if (added.Answer is null)
        {
            context.Error(QnaErrors.Closed, "the question is closed");
            return;
        }
        metrics.AnswerGiven();
        notifier.PublishAnswer(added);
        context.Reply(new AnswerReply(AnswerView.Of(added.Answer)), QnaJson.Default.AnswerReply);
        await notifier.AnswerAddedAsync(added, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary><c>qna.accept {answer_id}</c>: the asker accepts one answer, once; its author earns the configured points.</summary>
internal sealed class AcceptCommand(QnaStore store, Notifier notifier, QnaGuard guard, TimeProvider time, IOptions<QnaOptions> options,
    QnaMetrics metrics) : ICommandHandler
{
    public string Name => "qna.accept";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.AnswerIdArgs) is not { } args) return;
        if (QnaInput.Id(context, args.AnswerId, "answer_id") is not { } answerId) return;
        var ct = context.Connection.Aborted;
        var answer = await store.FindAnswerAsync(answerId, ct).ConfigureAwait(false);
        var question = answer is null ? null : await store.FindQuestionAsync(answer.QuestionId, ct).ConfigureAwait(false);
        if (answer is null || question is null)
        {
            context.Error(QnaErrors.NotFound, "no such answer");
            return;
        }
        var userId = context.Principal.SubjectId;
        if (question.AskerId != userId)
        {
            context.Error(QnaErrors.NotOwner, "only the asker accepts an answer");
            return;
        }
        if (answer.AuthorId == userId)
        {
            context.Error(ErrorCodes.BadRequest, "an asker cannot accept their own answer");
            return;
        }
        var now = time.GetUtcNow();
        var points = options.Value.AcceptPoints;
        if (!await store.AcceptAsync(answer, userId, points, Guid.CreateVersion7(now).ToString("N"), now.ToUnixTimeMilliseconds(), ct).ConfigureAwait(false))
        {
            context.Error(question.Status == QuestionStatus.Closed ? QnaErrors.Closed : QnaErrors.AlreadyAccepted,
                question.Status == QuestionStatus.Closed ? "the question is closed" : "the question has an accepted answer already");
            return;
        }
        metrics.AnswerAccepted();
        notifier.PublishAccepted(question, answer, points);
        context.Reply(new AcceptReply(answer.Id, answer.AuthorId, points), QnaJson.Default.AcceptReply);
        await notifier.AcceptedAsync(question, answer, points, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary><c>qna.close {question_id}</c>: the asker (or an administrator) closes a question; pending tiers stop.</summary>
internal sealed class CloseCommand(QnaStore store, IChannels channels, QnaGuard guard, TimeProvider time) : ICommandHandler
{
    public string Name => "qna.close";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.QuestionIdArgs) is not { } args) return;
        if (QnaInput.Id(context, args.QuestionId, "question_id") is not { } questionId) return;
        var question = await store.FindQuestionAsync(questionId, context.Connection.Aborted).ConfigureAwait(false);
        if (question is null)
        {
            context.Error(QnaErrors.NotFound, "no such question");
            return;
        }
        if (question.AskerId != context.Principal.SubjectId && !context.Principal.IsAdministrator)
        {
            context.Error(QnaErrors.NotOwner, "only the asker closes a question");
            return;
        }
        if (await store.CloseAsync(questionId, time.GetUtcNow().ToUnixTimeMilliseconds(), context.Connection.Aborted).ConfigureAwait(false))
            channels.Publish(Notifier.Room(questionId), new RoomEvent("closed"), QnaJson.Default.RoomEvent);
        context.ReplyEmpty();
    }
}
