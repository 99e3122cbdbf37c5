namespace Heartline.Core.Accounts;

internal sealed record SignInRequest(string? Login, string? Password);

internal sealed record RefreshRequest(string? RefreshToken);

internal sealed record CreateAccountRequest(string? UserId, string? Login, string? Name, string? Password, string[]? Roles,
    Dictionary<string, string>? Claims, string? Tenant);

internal sealed record UpdateAccountRequest(string? Name, string? Password, string[]? Roles, Dictionary<string, string>? Claims,
    string? Tenant, bool? Active);

internal sealed record AccountList(IReadOnlyList<AccountView> Accounts);
