using Heartline.Core.Protocol;

namespace Heartline.Voip;

/// <summary>The module's error codes (docs/protocol.md section 6 and docs/voip.md).</summary>
internal static class VoipErrors
{
    /// <summary>The callee is in another call (or being rung by someone else).</summary>
    public static readonly ErrorCode Busy = new("voip_busy", ClientAdvice.Retry);

    /// <summary>The caller is in another call already: hang it up first.</summary>
    public static readonly ErrorCode InCall = new("voip_in_call", ClientAdvice.DoNotRetry);

    /// <summary>The callee is unknown, of another tenant, or not connected.</summary>
    public static readonly ErrorCode Unreachable = new("voip_unreachable", ClientAdvice.DoNotRetry);

    /// <summary>No such call, not a party of it, or not in a state that allows the command.</summary>
    public static readonly ErrorCode NoCall = new("voip_no_call", ClientAdvice.DoNotRetry);

    /// <summary>The tenant admits guests only with its invitation code.</summary>
    public static readonly ErrorCode InvitationRequired = new("voip_invitation_required", ClientAdvice.DoNotRetry);

    /// <summary>The guest was purged, or its reclaim window ended: admit a new guest.</summary>
    public static readonly ErrorCode GuestGone = new("voip_guest_gone", ClientAdvice.GiveUp);

    public static readonly ErrorCode[] All = [Busy, InCall, Unreachable, NoCall, InvitationRequired, GuestGone];
}

/// <summary>Why a call ended, as stored and as sent in <c>ended</c>.</summary>
internal static class CallEndReasons
{
    public const string Hangup = "hangup";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";
    public const string Busy = "busy";
    public const string NoAnswer = "no_answer";
    public const string PeerGone = "peer_gone";
    public const string ServerRestart = "server_restart";
    public const string Removed = "removed";
    public const string MaxDuration = "max_duration";
}
