using Heartline.Core.Protocol;

namespace Heartline.Ptt;

/// <summary>The module's error codes (docs/protocol.md section 6).</summary>
internal static class PttErrors
{
    /// <summary>Someone else holds the floor; <c>details</c> names the speaker. Retry after their session ends.</summary>
    public static readonly ErrorCode FloorBusy = new("floor_busy", ClientAdvice.Retry);

    /// <summary>A keep-alive for a floor this connection does not hold (at that epoch).</summary>
    public static readonly ErrorCode NotFloorHolder = new("not_floor_holder", ClientAdvice.DoNotRetry);

    public static readonly ErrorCode[] All = [FloorBusy, NotFloorHolder];
}
