using Dapper;

namespace Heartline.Core.Accounts;

/// <summary>What presenting a refresh token led to.</summary>
internal enum RefreshOutcome
{
    /// <summary>Rotated: the presented token is used up, its successor was stored.</summary>
    Rotated,

    /// <summary>No such token (or it was revoked or has expired).</summary>
    Invalid,

    /// <summary>The token had been used before: its whole family is revoked now (a stolen token, or a client's bug).</summary>
    Reused,
}

internal sealed partial class AccountStore
{
    /// <summary>Stores a refresh token (its hash) of a family.</summary>
    public Task IssueRefreshAsync(string tokenHash, string familyId, string accountId, long now, long expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at, expires_at)
            VALUES (@TokenHash, @FamilyId, @AccountId, @Now, @ExpiresAt)
            """, new { TokenHash = tokenHash, FamilyId = familyId, AccountId = accountId, Now = now, ExpiresAt = expiresAt }, tx,
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Uses up the token <paramref name="tokenHash"/> and stores <paramref name="nextHash"/> in its family, in one
    /// transaction; a token used before revokes its family instead (and that revocation is committed). The account of a
    /// rotated token is returned.
    /// </summary>
    public Task<(RefreshOutcome Outcome, string? AccountId)> RotateRefreshAsync(string tokenHash, string nextHash, long now, long expiresAt,
        CancellationToken cancellationToken) =>
        database.WriteAsync<(RefreshOutcome, string?)>(async (c, tx) =>
        {
            var token = await c.QuerySingleOrDefaultAsync<(string FamilyId, string AccountId, long ExpiresAt, long? UsedAt, long? RevokedAt)>(
                new CommandDefinition(
                    "SELECT family_id, account_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = @TokenHash",
                    new { TokenHash = tokenHash }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (token.FamilyId is null || token.RevokedAt is not null || token.ExpiresAt <= now) return (RefreshOutcome.Invalid, null);
            // The guard on used_at makes two concurrent uses of one token one rotation and one reuse.
            var used = token.UsedAt is null && await c.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET used_at = @Now WHERE token_hash = @TokenHash AND used_at IS NULL",
                new { TokenHash = tokenHash, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
            if (!used)
            {
                await RevokeFamilyAsync(c, tx, token.FamilyId, now, cancellationToken).ConfigureAwait(false);
                return (RefreshOutcome.Reused, token.AccountId);
            }
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at, expires_at)
                VALUES (@TokenHash, @FamilyId, @AccountId, @Now, @ExpiresAt)
                """, new { TokenHash = nextHash, token.FamilyId, token.AccountId, Now = now, ExpiresAt = expiresAt }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return (RefreshOutcome.Rotated, token.AccountId);
        }, cancellationToken);

    /// <summary>Revokes the family of <paramref name="tokenHash"/> (sign-out); false when no such token exists.</summary>
    public Task<bool> RevokeFamilyOfAsync(string tokenHash, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var family = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT family_id FROM refresh_tokens WHERE token_hash = @TokenHash", new { TokenHash = tokenHash }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (family is null) return false;
            await RevokeFamilyAsync(c, tx, family, now, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Revokes every refresh token of an account (deactivated, or its password was reset).</summary>
    public Task<int> RevokeAccountTokensAsync(string accountId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @Now WHERE account_id = @AccountId AND revoked_at IS NULL",
            new { AccountId = accountId, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Deletes refresh tokens that expired before <paramref name="before"/>.</summary>
    public Task<int> PurgeExpiredTokensAsync(long before, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM refresh_tokens WHERE expires_at < @Before", new { Before = before }, tx, cancellationToken: cancellationToken)),
            cancellationToken);

    private static Task<int> RevokeFamilyAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string familyId, long now,
        CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @Now WHERE family_id = @FamilyId AND revoked_at IS NULL",
            new { FamilyId = familyId, Now = now }, tx, cancellationToken: cancellationToken));
}

internal sealed partial class AccountStore
{
    /// <summary>Stores a one-time code for <paramref name="accountId"/>, replacing its unused ones.</summary>
    public Task IssueCodeAsync(string codeHash, string accountId, long now, long expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM account_codes WHERE account_id = @AccountId AND used_at IS NULL",
                new { AccountId = accountId }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO account_codes (code_hash, account_id, created_at, expires_at) VALUES (@CodeHash, @AccountId, @Now, @ExpiresAt)",
                new { CodeHash = codeHash, AccountId = accountId, Now = now, ExpiresAt = expiresAt }, tx, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Uses a code once: its account, or null when it is unknown, used or expired.</summary>
    public Task<string?> UseCodeAsync(string codeHash, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var accountId = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT account_id FROM account_codes WHERE code_hash = @CodeHash AND used_at IS NULL AND expires_at > @Now",
                new { CodeHash = codeHash, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (accountId is null) return null;
            var used = await c.ExecuteAsync(new CommandDefinition(
                "UPDATE account_codes SET used_at = @Now WHERE code_hash = @CodeHash AND used_at IS NULL",
                new { CodeHash = codeHash, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return used == 1 ? accountId : null;
        }, cancellationToken);
}
