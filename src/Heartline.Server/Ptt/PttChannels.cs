namespace Heartline.Server.Ptt;

internal static class PttChannels
{
    /// <summary>The realtime channel carrying an office's PTT events.</summary>
    public static string EventChannel(string office) => "ptt:" + office;

    /// <summary>The media channel name (Agora), e.g. <c>ptt_r1_o1</c>: Agora allows letters, digits and '_'.</summary>
    public static string MediaChannel(string office) => "ptt_" + office;

    public static bool IsMemberRole(string role) => role is Auth.Roles.CallManager or Auth.Roles.PickupDriver;
}
