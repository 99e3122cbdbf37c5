namespace Heartline.Core.Auth;

/// <summary>The roles a token may carry.</summary>
internal static class Roles
{
    public const string CallManager = "call_manager";
    public const string PickupDriver = "pickup_driver";
    public const string Admin = "admin";
    public const string Viewer = "viewer";
    public const string Guest = "guest";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string>(StringComparer.Ordinal) { CallManager, PickupDriver, Admin, Viewer, Guest };
}
