using System.Security.Cryptography;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Accounts;

/// <summary>What an account change asks for; fields left null stay as they are.</summary>
internal sealed record AccountChange(string? Name = null, string? Password = null, IReadOnlyList<string>? Roles = null,
    IReadOnlyDictionary<string, string>? Claims = null, string? Tenant = null, bool? Active = null);

/// <summary>The tokens of a sign-in or a refresh.</summary>
internal sealed record SignedIn(string AccessToken, string RefreshToken, long ExpiresAt, long RefreshExpiresAt, AccountView User);

/// <summary>
/// Accounts and their sign-in: creation and changes with validation, password checks with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2; a hash in an older format is upgraded at the next sign-in), access tokens
/// from <see cref="TokenIssuer"/> and rotating refresh tokens. Every change is an event (scope <c>admin</c>) with who
/// made it.
/// </summary>
internal sealed class Accounts(AccountStore store, AccountDirectory directory, IdentityCatalog catalog, TokenIssuer tokens,
    IEventLog events, IOptions<AccountsOptions> options, TimeProvider time)
{
    private static readonly PasswordHasher<AccountRow> Hasher = new();
    private static readonly AccountRow Nobody = new();
    // Verified when the login is unknown, so a wrong login costs as long as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(Nobody, "not-a-password-of-anyone");

    /// <summary>Normalizes a login: trimmed, lower-case.</summary>
    public static string NormalizeLogin(string login) => login.Trim().ToLowerInvariant();

    public async Task<(AccountView? Account, string? Problem, bool Conflict)> CreateAsync(string? userId, string? login, string? name,
        string? password, IReadOnlyList<string>? roles, IReadOnlyDictionary<string, string>? claims, string? tenant, Principal? by,
        CancellationToken cancellationToken)
    {
        if (login is null || NormalizeLogin(login) is not { Length: >= 3 } normalized || !Identifiers.IsId(normalized, allowUnderscore: true))
            return (null, "login: 3-64 of a-z 0-9 - . @ _", false);
        var id = userId ?? normalized;
        if (!Identifiers.IsId(id, allowUnderscore: true)) return (null, "user_id: 1-64 of A-Z a-z 0-9 - . @ _", false);
        var displayName = string.IsNullOrWhiteSpace(name) ? normalized : name.Trim();
        if (displayName.Length > 64) return (null, "name: at most 64 characters", false);
        if (password is not null && PasswordProblem(password) is { } weak) return (null, weak, false);
        roles ??= [];
        claims ??= new Dictionary<string, string>();
        if ((catalog.RolesProblem([.. roles]) ?? catalog.ClaimsProblem(claims)) is { } bad) return (null, bad, false);
        if (tenant is not null && !Identifiers.IsId(tenant, allowUnderscore: true)) return (null, "tenant: 1-64 of A-Z a-z 0-9 - . @ _", false);
        var now = Now();
        var account = new AccountRow
        {
            AccountId = id, Login = normalized, Name = displayName, Tenant = tenant, Roles = AccountRow.JoinRoles(roles),
            Claims = AccountRow.JoinClaims(claims), PasswordHash = password is null ? null : Hasher.HashPassword(Nobody, password),
            Active = 1, CreatedAt = now, UpdatedAt = now,
        };
        if (!await store.CreateAsync(account, cancellationToken).ConfigureAwait(false)) return (null, "user_id or login is taken", true);
        directory.Changed(account);
        Record("ACCOUNT_CREATED", account, by, null);
        return (account.View(), null, false);
    }

    /// <summary>Applies <paramref name="change"/>; a deactivation or a new password revokes the refresh tokens, and
    /// connections whose tokens no longer match the account are closed (4503). Returns null when there is no such account.</summary>
    public async Task<(AccountView? Account, string? Problem)> UpdateAsync(string accountId, AccountChange change, Principal by,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(accountId, cancellationToken).ConfigureAwait(false) is not { } current) return (null, null);
        var name = change.Name?.Trim() ?? current.Name;
        if (name.Length is 0 or > 64) return (null, "name: 1-64 characters");
        if (change.Password is { } password && PasswordProblem(password) is { } weak) return (null, weak);
        if (change.Roles is { } roles && catalog.RolesProblem([.. roles]) is { } badRoles) return (null, badRoles);
        if (change.Claims is { } claims && catalog.ClaimsProblem(claims) is { } badClaims) return (null, badClaims);
        if (change.Tenant is { Length: > 0 } tenant && !Identifiers.IsId(tenant, allowUnderscore: true)) return (null, "tenant: 1-64 of A-Z a-z 0-9 - . @ _");
        var updated = new AccountRow
        {
            AccountId = current.AccountId, Login = current.Login, Name = name,
            Tenant = change.Tenant is null ? current.Tenant : change.Tenant.Length == 0 ? null : change.Tenant,
            Roles = change.Roles is { } r ? AccountRow.JoinRoles(r) : current.Roles,
            Claims = change.Claims is { } c ? AccountRow.JoinClaims(c) : current.Claims,
            PasswordHash = change.Password is { } p ? Hasher.HashPassword(Nobody, p) : current.PasswordHash,
            Active = change.Active is { } active ? (active ? 1 : 0) : current.Active,
            CreatedAt = current.CreatedAt, UpdatedAt = Now(),
        };
        if (!await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false)) return (null, null);
        if (!updated.IsActive || change.Password is not null)
            await store.RevokeAccountTokensAsync(accountId, Now(), CancellationToken.None).ConfigureAwait(false);
        var closed = directory.Changed(updated);
        var type = current.IsActive && !updated.IsActive ? "ACCOUNT_DEACTIVATED" : !current.IsActive && updated.IsActive ? "ACCOUNT_ACTIVATED" : "ACCOUNT_UPDATED";
        Record(type, updated, by, closed);
        return (updated.View(), null);
    }

    /// <summary>Checks a login and password; the tokens, or null (wrong login or password, no password set, deactivated).</summary>
    public async Task<(SignedIn? Tokens, bool Deactivated)> SignInAsync(string login, string password, CancellationToken cancellationToken)
    {
        var account = await store.FindByLoginAsync(NormalizeLogin(login), cancellationToken).ConfigureAwait(false);
        var hash = account?.PasswordHash ?? DummyHash;
        var verified = Hasher.VerifyHashedPassword(Nobody, hash, password);
        if (account?.PasswordHash is null || verified == PasswordVerificationResult.Failed) return (null, false);
        if (!account.IsActive) return (null, true);
        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            account = new AccountRow
            {
                AccountId = account.AccountId, Login = account.Login, Name = account.Name, Tenant = account.Tenant, Roles = account.Roles,
                Claims = account.Claims, PasswordHash = Hasher.HashPassword(Nobody, password), Active = account.Active,
                CreatedAt = account.CreatedAt, UpdatedAt = account.UpdatedAt,
            };
            await store.UpdateAsync(account, cancellationToken).ConfigureAwait(false);
        }
        return (await StartSignInAsync(account, cancellationToken).ConfigureAwait(false), false);
    }

    /// <summary>
    /// A one-time code that lets the account's user set a password (an invitation, or a reset), valid for
    /// <c>Accounts:CodeHours</c>; it replaces the account's unused codes. Null when there is no such account.
    /// </summary>
    public async Task<(string Code, long ExpiresAt)?> IssueCodeAsync(string accountId, Principal by, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(accountId, cancellationToken).ConfigureAwait(false) is not { } account) return null;
        var code = new string(RandomNumberGenerator.GetItems<char>(CodeAlphabet, 10));
        var now = Now();
        var expiresAt = now + options.Value.CodeHours * 3_600_000L;
        await store.IssueCodeAsync(Hash(code), accountId, now, expiresAt, cancellationToken).ConfigureAwait(false);
        Record("ACCOUNT_CODE_ISSUED", account, by, null);
        return (code[..5] + "-" + code[5..], expiresAt);
    }

    /// <summary>
    /// Sets the password with a one-time code and signs in: the tokens, or why not (the password's problem, an unknown,
    /// used or expired code, a deactivated account). Other sign-ins of the account end (their refresh tokens are revoked).
    /// </summary>
    public async Task<(SignedIn? Tokens, string? Problem, bool Deactivated)> AcceptCodeAsync(string code, string password, CancellationToken cancellationToken)
    {
        if (PasswordProblem(password) is { } weak) return (null, weak, false);
        var normalized = NormalizeCode(code);
        var accountId = normalized.Length == 10 ? await store.UseCodeAsync(Hash(normalized), Now(), cancellationToken).ConfigureAwait(false) : null;
        if (accountId is null || await store.GetAsync(accountId, cancellationToken).ConfigureAwait(false) is not { } current)
            return (null, null, false);
        if (!current.IsActive) return (null, null, true);
        var account = new AccountRow
        {
            AccountId = current.AccountId, Login = current.Login, Name = current.Name, Tenant = current.Tenant, Roles = current.Roles,
            Claims = current.Claims, PasswordHash = Hasher.HashPassword(Nobody, password), Active = current.Active,
            CreatedAt = current.CreatedAt, UpdatedAt = Now(),
        };
        await store.UpdateAsync(account, cancellationToken).ConfigureAwait(false);
        await store.RevokeAccountTokensAsync(account.AccountId, Now(), CancellationToken.None).ConfigureAwait(false);
        Record("ACCOUNT_PASSWORD_SET", account, null, null);
        return (await StartSignInAsync(account, cancellationToken).ConfigureAwait(false), null, false);
    }

    /// <summary>Upper case, without separators; the letters read as digits (O, I, L) become those digits.</summary>
    private static string NormalizeCode(string code) =>
        new([.. code.ToUpperInvariant().Where(ch => ch is not ('-' or ' ')).Select(ch => ch switch { 'O' => '0', 'I' or 'L' => '1', _ => ch })]);

    /// <summary>Crockford's base32: no I, L, O or U to misread; 10 of them are 50 random bits.</summary>
    private const string CodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private async Task<SignedIn> StartSignInAsync(AccountRow account, CancellationToken cancellationToken)
    {
        var refresh = NewRefreshToken();
        var now = Now();
        var refreshExpires = now + options.Value.RefreshTokenDays * 86_400_000L;
        await store.IssueRefreshAsync(Hash(refresh), Guid.CreateVersion7().ToString("N"), account.AccountId, now, refreshExpires, cancellationToken)
            .ConfigureAwait(false);
        return Issue(account, refresh, refreshExpires);
    }

    /// <summary>Rotates a refresh token: new tokens, or why not (unknown, expired, revoked, reused, account deactivated).</summary>
    public async Task<(SignedIn? Tokens, RefreshOutcome Outcome)> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var next = NewRefreshToken();
        var now = Now();
        var refreshExpires = now + options.Value.RefreshTokenDays * 86_400_000L;
        var (outcome, accountId) = await store.RotateRefreshAsync(Hash(refreshToken), Hash(next), now, refreshExpires, cancellationToken)
            .ConfigureAwait(false);
        if (outcome == RefreshOutcome.Reused && accountId is not null)
        {
            events.Enqueue(new EventRecord(0, "REFRESH_TOKEN_REUSED", "admin", null, accountId, now, null));
        }
        if (outcome != RefreshOutcome.Rotated) return (null, outcome);
        if (await store.GetAsync(accountId!, cancellationToken).ConfigureAwait(false) is not { IsActive: true } account)
        {
            await store.RevokeAccountTokensAsync(accountId!, now, CancellationToken.None).ConfigureAwait(false);
            return (null, RefreshOutcome.Invalid);
        }
        return (Issue(account, next, refreshExpires), outcome);
    }

    /// <summary>Signs out: the refresh token's family is revoked (access tokens end on their own within minutes).</summary>
    public Task<bool> SignOutAsync(string refreshToken, CancellationToken cancellationToken) =>
        store.RevokeFamilyOfAsync(Hash(refreshToken), Now(), cancellationToken);

    public string? PasswordProblem(string password) =>
        password.Length < options.Value.MinPasswordLength || password.Length > 128
            ? $"password: {options.Value.MinPasswordLength} to 128 characters"
            : null;

    private SignedIn Issue(AccountRow account, string refresh, long refreshExpires)
    {
        var lifetime = TimeSpan.FromMinutes(options.Value.AccessTokenMinutes);
        var access = tokens.Mint(account.AccountId, account.Name, account.RoleList, account.ClaimMap, lifetime, PrincipalKind.User, account.Tenant);
        return new SignedIn(access, refresh, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds(), refreshExpires, account.View());
    }

    private void Record(string type, AccountRow account, Principal? by, int? closed)
    {
        var metadata = new Dictionary<string, string> { ["login"] = account.Login, ["roles"] = account.Roles, ["active"] = account.IsActive ? "true" : "false" };
        if (by is not null)
        {
            metadata["by"] = by.SubjectId;
            metadata["by_name"] = by.Name;
        }
        if (closed is { } n) metadata["closed_here"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        events.Enqueue(new EventRecord(0, type, "admin", null, account.AccountId, Now(),
            JsonSerializer.Serialize(metadata, HeartlineJsonContext.Default.DictionaryStringString)));
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewRefreshToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string token) => Base64Url(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
