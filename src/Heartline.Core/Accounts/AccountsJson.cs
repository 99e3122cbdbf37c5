namespace Heartline.Core.Accounts;

internal sealed record SignInRequest(string? Login, string? Password);

internal sealed record RefreshRequest(string? RefreshToken);

internal sealed record CreateAccountRequest(string? UserId, string? Login, string? Name, string? Password, string[]? Roles,
    Dictionary<string, string>? Claims, string? Tenant);

internal sealed record UpdateAccountRequest(string? Name, string? Password, string[]? Roles, Dictionary<string, string>? Claims,
    string? Tenant, bool? Active);

/// <summary>The accounts, and how many connections each user has open now (any node; users with none are left out).</summary>
internal sealed record AccountList(IReadOnlyList<AccountView> Accounts, IReadOnlyDictionary<string, int> Online);

internal sealed record AcceptCodeRequest(string? Code, string? Password);

/// <summary>A one-time code to give the user, and the path of the driver app that takes it.</summary>
internal sealed record CodeIssued(string Code, long ExpiresAt, string Path);
