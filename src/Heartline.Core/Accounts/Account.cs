using System.Text.Json;
using Heartline.Core.Protocol;

namespace Heartline.Core.Accounts;

/// <summary>
/// An account as stored: <c>account_id</c> is the subject of its tokens; roles are space-separated and claims a JSON
/// object of declared claims (a driver's <c>office</c>, a webinar agency), the groups it belongs to.
/// </summary>
/// <remarks>Properties, not a constructor: SQLite and PostgreSQL report <c>active</c> and the times as different integer types.</remarks>
internal sealed class AccountRow
{
    public string AccountId { get; init; } = "";
    public string Login { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Tenant { get; init; }
    public string Roles { get; init; } = "";
    public string? Claims { get; init; }
    public string? PasswordHash { get; init; }
    public long Active { get; init; } = 1;
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public bool IsActive => Active != 0;

    private string[]? _roleList;
    private Dictionary<string, string>? _claimMap;

    /// <summary>The roles, split once (the directory checks them on every connect and request of the account).</summary>
    public string[] RoleList => _roleList ??= Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The claims, parsed once; callers must not change it.</summary>
    public Dictionary<string, string> ClaimMap => _claimMap ??= Claims is null
        ? []
        : JsonSerializer.Deserialize(Claims, HeartlineJsonContext.Default.DictionaryStringString) ?? [];

    public AccountView View() => new(AccountId, Login, Name, Tenant, RoleList, ClaimMap, IsActive, PasswordHash is not null, CreatedAt, UpdatedAt);

    public static string JoinRoles(IEnumerable<string> roles) => string.Join(' ', roles);

    public static string? JoinClaims(IReadOnlyDictionary<string, string> claims) => claims.Count == 0
        ? null
        : JsonSerializer.Serialize(new Dictionary<string, string>(claims.OrderBy(c => c.Key, StringComparer.Ordinal)),
            HeartlineJsonContext.Default.DictionaryStringString);
}

/// <summary>An account as the admin API shows it (never its password hash).</summary>
internal sealed record AccountView(string UserId, string Login, string Name, string? Tenant, string[] Roles, Dictionary<string, string> Claims,
    bool Active, bool HasPassword, long CreatedAt, long UpdatedAt);
