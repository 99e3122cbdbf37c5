using Heartline.Core.Auth;

namespace Heartline.Webinar;

/// <summary>
/// Who manages which webinars: administrators every one; a host (role <c>webinar_host</c>) those of its agency (the
/// token's <c>agency</c> claim), creating only in it. Anyone else manages none. A webinar another agency owns answers as
/// an unknown one.
/// </summary>
internal static class WebinarAccess
{
    public const string HostRole = "webinar_host";
    public const string Host = "webinar.host";
    public const string AgencyClaim = "agency";

    public static readonly RoleDefinition[] Roles =
    [
        new(HostRole, "Runs an agency's webinars: creates them, edits their schedule, ends them, reads their statistics.", Host),
    ];

    public static readonly ClaimDefinition[] Claims =
    [
        new(AgencyClaim, "1-64 of A-Z a-z 0-9 - . @ _", v => Identifiers.IsId(v, allowUnderscore: true), RequestAlias: "agency_id"),
    ];

    /// <summary>Whether <paramref name="principal"/> manages some webinars (an administrator, or a host with an agency).</summary>
    public static bool IsManager(Principal principal) =>
        principal.IsAdministrator || (principal.Has(Host) && principal.Claim(AgencyClaim) is not null);

    /// <summary>The agency a host is limited to; null for administrators (every agency).</summary>
    public static string? AgencyOf(Principal principal) => principal.IsAdministrator ? null : principal.Claim(AgencyClaim);

    public static bool CanManage(Principal principal, WebinarRecord webinar) =>
        principal.IsAdministrator || (principal.Has(Host) && principal.Claim(AgencyClaim) is { } agency && agency == webinar.AgencyId);
}
