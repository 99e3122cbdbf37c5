using Heartline.Core.Protocol;

namespace Heartline.Qna;

/// <summary>The module's error codes (docs/protocol.md section 6 and docs/qna.md).</summary>
internal static class QnaErrors
{
    /// <summary>No such question (or answer).</summary>
    public static readonly ErrorCode NotFound = new("qna_not_found", ClientAdvice.DoNotRetry);

    /// <summary>Only the question's asker may do this (accept, close).</summary>
    public static readonly ErrorCode NotOwner = new("qna_not_owner", ClientAdvice.DoNotRetry);

    /// <summary>The question has an accepted answer already (an asker accepts once).</summary>
    public static readonly ErrorCode AlreadyAccepted = new("qna_already_accepted", ClientAdvice.DoNotRetry);

    /// <summary>The question is closed: no more answers.</summary>
    public static readonly ErrorCode Closed = new("qna_closed", ClientAdvice.DoNotRetry);

    /// <summary>The location is outside Jeju's bounds; the service covers Jeju only.</summary>
    public static readonly ErrorCode OutsideJeju = new("qna_outside_jeju", ClientAdvice.DoNotRetry);

    /// <summary>The user or the client address is on the administrators' blocklist.</summary>
    public static readonly ErrorCode Blocked = new("qna_blocked", ClientAdvice.GiveUp);

    /// <summary>The text matches a configured spam rule.</summary>
    public static readonly ErrorCode Spam = new("qna_spam", ClientAdvice.DoNotRetry);

    public static readonly ErrorCode[] All = [NotFound, NotOwner, AlreadyAccepted, Closed, OutsideJeju, Blocked, Spam];
}
