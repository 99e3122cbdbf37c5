using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Core.Accounts;

/// <summary>Accounts on the node's database (SQLite or PostgreSQL, the same SQL).</summary>
internal sealed partial class AccountStore(IHeartlineDatabase database)
{
    private const string Columns =
        """
        account_id AS AccountId, login AS Login, name AS Name, tenant AS Tenant, roles AS Roles, claims AS Claims,
        password_hash AS PasswordHash, active AS Active, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>Adds an account; false when its id or login is taken.</summary>
    public Task<bool> CreateAsync(AccountRow account, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO accounts (account_id, login, name, tenant, roles, claims, password_hash, active, created_at, updated_at)
            VALUES (@AccountId, @Login, @Name, @Tenant, @Roles, @Claims, @PasswordHash, @Active, @CreatedAt, @UpdatedAt)
            ON CONFLICT DO NOTHING
            """, account, tx, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1, cancellationToken);

    public Task<AccountRow?> FindByLoginAsync(string login, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            $"SELECT {Columns} FROM accounts WHERE login = @Login", new { Login = login }, cancellationToken: cancellationToken)),
            cancellationToken);

    public Task<AccountRow?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            $"SELECT {Columns} FROM accounts WHERE account_id = @AccountId", new { AccountId = accountId }, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>Every account, by login (the directory and the admin list; an office's accounts number in the thousands).</summary>
    public async Task<IReadOnlyList<AccountRow>> ListAsync(CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<AccountRow>(new CommandDefinition(
            $"SELECT {Columns} FROM accounts ORDER BY login", cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>Replaces an account's changeable fields; false when it does not exist.</summary>
    public Task<bool> UpdateAsync(AccountRow account, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE accounts SET name = @Name, tenant = @Tenant, roles = @Roles, claims = @Claims, password_hash = @PasswordHash,
                active = @Active, updated_at = @UpdatedAt
            WHERE account_id = @AccountId
            """, account, tx, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1, cancellationToken);

    /// <summary>Whether an active account holds <paramref name="role"/>.</summary>
    public Task<bool> AnyActiveWithRoleAsync(string role, CancellationToken cancellationToken) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM accounts WHERE active = 1 AND ' ' || roles || ' ' LIKE @Pattern",
            new { Pattern = "% " + role + " %" }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0, cancellationToken);
}
