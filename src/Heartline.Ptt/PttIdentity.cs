using Heartline.Core.Accounts;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Presence;

namespace Heartline.Ptt;

/// <summary>The roles push-to-talk declares and the permissions they grant.</summary>
internal static class PttRoles
{
    public const string CallManager = "call_manager";
    public const string PickupDriver = "pickup_driver";
    public const string Viewer = "viewer";

    /// <summary>Presses and talks; a member of the office's sessions (hears every transmission).</summary>
    public const string Talk = "ptt.talk";

    /// <summary>Takes the floor from a speaker whose role is <see cref="Preemptible"/> (where the office allows it).</summary>
    public const string Preempt = "ptt.preempt";

    /// <summary>Loses the floor to a <see cref="Preempt"/> press.</summary>
    public const string Preemptible = "ptt.preemptible";

    /// <summary>Watches the office (state, events, statistics, a join-only media token) without talking.</summary>
    public const string Observe = "ptt.observe";

    /// <summary>Publishes to the office's own channels (<c>office:{office}</c>).</summary>
    public const string PublishOffice = "ptt.publish_office";

    /// <summary>Acts as an operator on the office's sessions (ends a stuck one).</summary>
    public const string Operate = "ptt.operate";

    public static readonly RoleDefinition[] All =
    [
        new(CallManager, "A dispatcher: talks, pre-empts drivers, watches the office, ends a stuck session.", Talk, Preempt, Observe, PublishOffice, Operate),
        new(PickupDriver, "A driver: talks and listens, watches the office.", Talk, Preemptible, Observe, PublishOffice),
        new(Viewer, "Watches the office without talking.", Observe),
        new(CorePermissions.AdminRole, "Administrators watch every office, may publish to its channels and act on its sessions.", Observe, PublishOffice, Operate),
    ];

    /// <summary>Role names whose principals talk (for presence lists, which carry the primary role only).</summary>
    public static bool Talks(string role) => role is CallManager or PickupDriver;
}

/// <summary>
/// The office of a principal: the token's <c>region</c> and <c>office</c> claims, joined as the office key
/// <c>{region}_{office}</c> that scopes every push-to-talk resource and is the office's presence scope.
/// </summary>
internal static class PttIdentity
{
    /// <summary>The group kind of a dispatch office (accounts' groups): named by the region and office claims.</summary>
    public static readonly GroupKind OfficeGroup = new("office", "A dispatch office: its drivers and call managers talk on one channel.",
        RegionClaim, OfficeClaim);

    public const string RegionClaim = "region";
    public const string OfficeClaim = "office";

    public static readonly ClaimDefinition[] Claims =
    [
        new(RegionClaim, "1-64 of A-Z a-z 0-9 - . @", v => Identifiers.IsId(v), RequestAlias: "region_id"),
        new(OfficeClaim, "1-64 of A-Z a-z 0-9 - . @", v => Identifiers.IsId(v), RequestAlias: "office_id"),
    ];

    /// <summary>The principal's office key, or null when its token names no office.</summary>
    public static string? OfficeKey(this Principal principal) =>
        principal.Claim(RegionClaim) is { } region && principal.Claim(OfficeClaim) is { } office ? region + "_" + office : null;

    /// <summary>
    /// Who may watch an office (its PTT channel and state, presence, events, statistics, a join-only media token):
    /// principals whose roles grant <see cref="PttRoles.Observe"/>, in their own office, and administrators in every
    /// office. Guests never: an office's traffic is its staff's, whatever roles a guest token carries.
    /// </summary>
    public static bool CanObserve(this Principal principal, string office) =>
        principal.Kind != PrincipalKind.Guest && principal.Has(PttRoles.Observe)
        && (principal.IsAdministrator || string.Equals(office, principal.OfficeKey(), StringComparison.Ordinal));

    /// <summary>
    /// An office key as tokens produce it: <c>{region_id}_{office_id}</c>, each an id of 1-64 characters without '_'.
    /// </summary>
    public static bool IsOfficeKey(string? office)
    {
        if (office is null) return false;
        var separator = office.IndexOf('_', StringComparison.Ordinal);
        return separator > 0 && Identifiers.IsId(office[..separator]) && Identifiers.IsId(office[(separator + 1)..]);
    }
}

/// <summary>A principal with an office is present in it: the office key is its presence scope.</summary>
internal sealed class PttPresenceScopes : IPresenceScopes
{
    public void AddScopes(Principal principal, ICollection<string> scopes)
    {
        if (principal.OfficeKey() is { } office) scopes.Add(office);
    }

    public bool? CanObserve(Principal principal, string scope) =>
        PttIdentity.IsOfficeKey(scope) ? principal.CanObserve(scope) : null;
}

/// <summary>The connect reply names the office as before: <c>region_id</c>, <c>office_id</c> and <c>office</c>.</summary>
internal sealed class PttConnectInfo : IConnectInfo
{
    public void Describe(Principal principal, IDictionary<string, string> fields)
    {
        if (principal.Claim(PttIdentity.RegionClaim) is not { } region || principal.Claim(PttIdentity.OfficeClaim) is not { } office) return;
        fields["region_id"] = region;
        fields["office_id"] = office;
        fields["office"] = region + "_" + office;
    }
}
