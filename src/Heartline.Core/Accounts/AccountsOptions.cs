using System.ComponentModel.DataAnnotations;

namespace Heartline.Core.Accounts;

/// <summary>Sign-in settings, bound from the <c>Accounts</c> configuration section (docs/accounts.md).</summary>
internal sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>Lifetime of an access token from sign-in or refresh. Default: 15 minutes.</summary>
    [Range(1, 24 * 60)] public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>Lifetime of a refresh token (each refresh replaces it with a new one). Default: 30 days.</summary>
    [Range(1, 365)] public int RefreshTokenDays { get; set; } = 30;

    /// <summary>Failed sign-ins of one login within the window before it is refused until the oldest ages out. Default: 5.</summary>
    [Range(1, 1000)] public int MaxFailuresPerLogin { get; set; } = 5;

    /// <summary>Failed sign-ins from one address within the window (any login) before it is refused. Default: 20.</summary>
    [Range(1, 100_000)] public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>The window failed sign-ins are counted in. Default: 15 minutes.</summary>
    [Range(1, 24 * 60)] public int FailureWindowMinutes { get; set; } = 15;

    /// <summary>Shortest password accepted when an account is created or its password set. Default: 8 characters.</summary>
    [Range(6, 128)] public int MinPasswordLength { get; set; } = 8;

    /// <summary>How long an invitation or reset code lets its user set a password. Default: 72 hours.</summary>
    [Range(1, 30 * 24)] public int CodeHours { get; set; } = 72;

    /// <summary>
    /// How often this node reloads the accounts it checks connecting tokens against (another node's changes reach it
    /// within this time; its own at once). Default: 15 seconds.
    /// </summary>
    [Range(1, 3600)] public int DirectoryRefreshSeconds { get; set; } = 15;

    /// <summary>The first administrator, created at start when no active administrator exists yet (both unset: none).</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();
}

/// <summary><c>Accounts:BootstrapAdmin</c>: login and password of the first administrator (read at start only).</summary>
internal sealed class BootstrapAdminOptions
{
    public string? Login { get; set; }

    public string? Password { get; set; }

    /// <summary>Display name. Default: the login.</summary>
    public string? Name { get; set; }
}
