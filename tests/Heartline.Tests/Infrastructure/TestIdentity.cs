using Heartline.Core.Auth;
using Heartline.Ptt;

namespace Heartline.Tests;

/// <summary>The role names the tests use (the modules declare them: core admin and guest; push-to-talk; webinar viewer).</summary>
internal static class Roles
{
    public const string CallManager = PttRoles.CallManager;
    public const string PickupDriver = PttRoles.PickupDriver;
    public const string Viewer = PttRoles.Viewer;
    public const string Admin = CorePermissions.AdminRole;
    public const string Guest = CorePermissions.GuestRole;
}

/// <summary>Tokens and principals as the server's modules declare them, for tests without a server.</summary>
internal static class TestIdentity
{
    /// <summary>The roles and claims of the core and the modules this host composes.</summary>
    public static readonly IdentityCatalog Catalog = new(
        [
            new RoleDefinition(CorePermissions.AdminRole, "admin", CorePermissions.Administer),
            new RoleDefinition(CorePermissions.GuestRole, "guest"),
            .. PttRoles.All,
        ],
        PttIdentity.Claims);

    /// <summary>A principal of an office, as a token with <c>region</c> and <c>office</c> claims makes it.</summary>
    public static Principal Principal(string userId, string office = "o1", string role = Roles.PickupDriver, string region = "r1",
        string? name = null) =>
        new(userId, name ?? "name-" + userId, role == Roles.Guest ? PrincipalKind.Guest : PrincipalKind.User, null, [role],
            Catalog.PermissionsOf([role]), new Dictionary<string, string> { ["region"] = region, ["office"] = office }, DateTimeOffset.MaxValue);

    /// <summary>A token of one role in office <c>{region}_{office}</c>, the shape every token had before claims were the modules'.</summary>
    public static string Mint(this TokenIssuer tokens, string userId, string name, string role, string region, string office, TimeSpan lifetime) =>
        tokens.Mint(userId, name, [role], new Dictionary<string, string> { ["region"] = region, ["office"] = office }, lifetime);
}
