using System.Collections.Frozen;

namespace Heartline.Core.Auth;

/// <summary>
/// A role a module declares: tokens may carry it (a token with an undeclared role is refused) and it grants
/// <see cref="Permissions"/>. Several modules may declare the same role; its permissions are then the union.
/// </summary>
public sealed record RoleDefinition(string Name, string Description, params string[] Permissions);

/// <summary>
/// A claim a module reads from tokens, with the rule its value must follow (a token whose value breaks it is refused).
/// Undeclared claims are not carried into the <see cref="Principal"/>. <paramref name="RequestAlias"/> is the
/// field name the development token endpoint also accepts for it (push-to-talk's <c>office_id</c> for <c>office</c>).
/// </summary>
public sealed record ClaimDefinition(string Name, string Description, Func<string, bool> IsValid, string? RequestAlias = null);

/// <summary>Every declared role and claim, as the registered modules declared them.</summary>
internal sealed class IdentityCatalog
{
    private readonly FrozenDictionary<string, FrozenSet<string>> _roles;

    public IdentityCatalog(IEnumerable<RoleDefinition> roles, IEnumerable<ClaimDefinition> claims)
    {
        _roles = roles.GroupBy(r => r.Name, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.SelectMany(r => r.Permissions).ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var byName = new Dictionary<string, ClaimDefinition>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (Reserved.Contains(claim.Name))
                throw new InvalidOperationException($"Claim '{claim.Name}' is one of the token's own claims; a module cannot declare it.");
            // The same claim declared twice keeps the first rule; two modules that read it agree on its meaning.
            byName.TryAdd(claim.Name, claim);
        }
        Claims = byName.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Claims the token handler itself interprets.</summary>
    public static readonly FrozenSet<string> Reserved = new[]
    {
        "sub", "name", "role", "kind", "tenant", "iss", "aud", "exp", "nbf", "iat", "jti",
    }.ToFrozenSet(StringComparer.Ordinal);

    public FrozenDictionary<string, ClaimDefinition> Claims { get; }

    public IEnumerable<string> RoleNames => _roles.Keys;

    public bool IsRole(string name) => _roles.ContainsKey(name);

    /// <summary>Why <paramref name="roles"/> cannot go into a token (none, an undeclared one, one twice); null when they can.</summary>
    public string? RolesProblem(IReadOnlyCollection<string> roles) =>
        roles.Count == 0 || roles.Any(r => !IsRole(r)) || roles.Distinct(StringComparer.Ordinal).Count() != roles.Count
            ? "role or roles: each one of " + string.Join(", ", RoleNames.Order(StringComparer.Ordinal))
            : null;

    /// <summary>Why <paramref name="claims"/> cannot go into a token (undeclared, or breaking a module's rule); null when they can.</summary>
    public string? ClaimsProblem(IReadOnlyDictionary<string, string> claims)
    {
        foreach (var (claim, value) in claims)
        {
            if (!Claims.TryGetValue(claim, out var definition)) return $"claims.{claim}: no module declares this claim";
            if (!definition.IsValid(value)) return $"{definition.RequestAlias ?? "claims." + claim}: {definition.Description}";
        }
        return null;
    }

    /// <summary>The permissions granted by <paramref name="roles"/> together.</summary>
    public IEnumerable<string> PermissionsOf(IEnumerable<string> roles) =>
        roles.SelectMany(r => _roles.TryGetValue(r, out var permissions) ? permissions : FrozenSet<string>.Empty);
}
