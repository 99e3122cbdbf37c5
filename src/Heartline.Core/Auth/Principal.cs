using System.Collections.Frozen;

namespace Heartline.Core.Auth;

/// <summary>What kind of party a principal is.</summary>
public enum PrincipalKind
{
    /// <summary>A person with an account (the default).</summary>
    User,
    /// <summary>An anonymous party admitted by a module's own endpoint (a viewer without an account, a VoIP guest).</summary>
    Guest,
    /// <summary>A program acting for itself (a dispatch system, a load tool).</summary>
    Service,
}

/// <summary>
/// Who is on the other end of a connection or an HTTP request, as its validated token says: a subject, a display name,
/// a kind, a tenant, the roles modules declared (the first is the primary role, which the wire calls <c>role</c>), the
/// permissions those roles grant, and the claims modules declared and read (push-to-talk's <c>region</c> and
/// <c>office</c>, say). Immutable, and shared by every place that handles the connection.
/// </summary>
public sealed class Principal
{
    private readonly FrozenSet<string> _permissions;

    /// <summary>Creates a principal; <paramref name="roles"/> must not be empty.</summary>
    public Principal(string subjectId, string name, PrincipalKind kind, string? tenant, IReadOnlyList<string> roles,
        IEnumerable<string> permissions, IReadOnlyDictionary<string, string> claims, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectId);
        ArgumentNullException.ThrowIfNull(roles);
        if (roles.Count == 0) throw new ArgumentException("A principal has at least one role.", nameof(roles));
        SubjectId = subjectId;
        Name = name;
        Kind = kind;
        Tenant = tenant;
        Roles = roles;
        _permissions = permissions.ToFrozenSet(StringComparer.Ordinal);
        Claims = claims;
        ExpiresAt = expiresAt;
    }

    /// <summary>The token's <c>sub</c>: a user id, a guest id or a service id.</summary>
    public string SubjectId { get; }

    /// <summary>The display name (the token's <c>name</c>, else the subject id).</summary>
    public string Name { get; }

    public PrincipalKind Kind { get; }

    /// <summary>The tenant (organization) the principal belongs to, when the token names one.</summary>
    public string? Tenant { get; }

    /// <summary>Declared roles, in the token's order.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>The first role: the one the protocol reports as <c>role</c>.</summary>
    public string Role => Roles[0];

    /// <summary>The declared claims the token carried (names as in the token).</summary>
    public IReadOnlyDictionary<string, string> Claims { get; }

    /// <summary>When the token expires (without the clock skew validation allows).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Whether one of the principal's roles grants <paramref name="permission"/>.</summary>
    public bool Has(string permission) => _permissions.Contains(permission);

    public bool IsInRole(string role)
    {
        foreach (var r in Roles)
        {
            if (string.Equals(r, role, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The value of a declared claim, or null.</summary>
    public string? Claim(string name) => Claims.TryGetValue(name, out var value) ? value : null;

    /// <summary>Administers the whole server (the core's <c>admin</c> role).</summary>
    public bool IsAdministrator => Has(CorePermissions.Administer);
}

/// <summary>The roles and permissions the core itself declares.</summary>
public static class CorePermissions
{
    /// <summary>Every admin endpoint and every scope. Granted by the <c>admin</c> role.</summary>
    public const string Administer = "heartline.administer";

    /// <summary>The role that administers the server.</summary>
    public const string AdminRole = "admin";

    /// <summary>The role of anonymous guests (tokens without a <c>kind</c> claim that carry it are of kind guest).</summary>
    public const string GuestRole = "guest";
}
