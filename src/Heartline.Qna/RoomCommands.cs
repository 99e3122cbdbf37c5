using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Qna;

/// <summary><c>qna.get {question_id}</c>: the question, its answers, everyone's read positions and the room's channel.</summary>
internal sealed class GetCommand(QnaStore store, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.get";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.QuestionIdArgs) is not { } args) return;
        if (QnaInput.Id(context, args.QuestionId, "question_id") is not { } questionId) return;
        if (await QuestionReplies.BuildAsync(store, questionId, context.Connection.Aborted).ConfigureAwait(false) is not { } reply)
        {
            context.Error(QnaErrors.NotFound, "no such question");
            return;
        }
        context.Reply(reply, QnaJson.Default.QuestionReply);
    }
}

internal static class QuestionReplies
{
    public static async Task<QuestionReply?> BuildAsync(QnaStore store, string questionId, CancellationToken cancellationToken)
    {
        var question = await store.FindQuestionAsync(questionId, cancellationToken).ConfigureAwait(false);
        if (question is null) return null;
        var answers = await store.AnswersAsync(questionId, cancellationToken).ConfigureAwait(false);
        var reads = await store.ReadsAsync(questionId, cancellationToken).ConfigureAwait(false);
        return new QuestionReply(QuestionView.Of(question), [.. answers.Select(AnswerView.Of)],
            [.. reads.Select(r => new ReadView(r.UserId, r.Delivered, r.Read))], Notifier.Room(questionId));
    }
}

/// <summary><c>qna.typing {question_id, typing}</c>: starts (repeat within 3 s while typing) or stops the typing state.</summary>
internal sealed class TypingCommand(Typing typing, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.typing";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.TypingArgs) is not { } args) return;
        if (QnaInput.Id(context, args.QuestionId, "question_id") is not { } questionId) return;
        if (args.Typing is not { } isTyping)
        {
            context.Error(ErrorCodes.BadRequest, "typing (true or false) is required");
            return;
        }
        var principal = context.Principal;
        if (isTyping) typing.Start(questionId, principal.SubjectId, principal.Name, context.Connection.Id);
        else typing.Stop(questionId, principal.SubjectId);
        context.ReplyEmpty();
    }
}

/// <summary>
/// <c>qna.receipt {question_id, delivered_seq, read_seq}</c>: how far the user's devices got in the question's answers.
/// The room learns it (sent → delivered → read per answer), and every device of the user gets the new unread count.
/// </summary>
internal sealed class ReceiptCommand(QnaStore store, Notifier notifier, IChannels channels, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.receipt";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.ReceiptArgs) is not { } args) return;
        if (QnaInput.Id(context, args.QuestionId, "question_id") is not { } questionId) return;
        var delivered = args.DeliveredSeq ?? 0;
        var read = args.ReadSeq ?? 0;
        var ct = context.Connection.Aborted;
        var question = await store.FindQuestionAsync(questionId, ct).ConfigureAwait(false);
        if (question is null)
        {
            context.Error(QnaErrors.NotFound, "no such question");
            return;
        }
        if (delivered < 0 || read < 0 || delivered > question.AnswerCount || read > question.AnswerCount || (delivered == 0 && read == 0))
        {
            context.Error(ErrorCodes.BadRequest, $"delivered_seq and read_seq are answer numbers from 1 to {question.AnswerCount}");
            return;
        }
        var userId = context.Principal.SubjectId;
        var (d, r) = await store.AdvanceReadAsync(questionId, userId, delivered, read, ct).ConfigureAwait(false);
        channels.Publish(Notifier.Room(questionId), new RoomEvent("receipt", UserId: userId, DeliveredSeq: d, ReadSeq: r), QnaJson.Default.RoomEvent);
        context.Reply(new ReceiptReply(d, r), QnaJson.Default.ReceiptReply);
        if (read > 0) await notifier.PublishUnreadAsync(userId, questionId, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary><c>qna.unread</c>: unread answers per question the user takes part in, and unread notifications.</summary>
internal sealed class UnreadCommand(QnaStore store, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.unread";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false)) return;
        var userId = context.Principal.SubjectId;
        var ct = context.Connection.Aborted;
        var questions = await store.UnreadAsync(userId, null, ct).ConfigureAwait(false);
        var notifications = await store.UnreadNotificationsAsync(userId, ct).ConfigureAwait(false);
        context.Reply(new UnreadReply([.. questions.Select(q => new UnreadEntry(q.QuestionId, q.Unread))], notifications), QnaJson.Default.UnreadReply);
    }
}
