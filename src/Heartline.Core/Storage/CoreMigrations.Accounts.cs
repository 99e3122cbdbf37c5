namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // Accounts that sign in with a login and password (docs/accounts.md): the account id is the tokens' subject, its roles
    // (space-separated) and declared claims (JSON: a driver's office, an agency) go into every access token it gets. A
    // refresh token is kept only as its SHA-256; the tokens a sign-in starts form a family, so a token used twice revokes
    // every token of its family.
    private const string V9Common =
        """
        CREATE TABLE accounts (
            account_id text PRIMARY KEY,
            login text NOT NULL,
            name text NOT NULL,
            tenant text NULL,
            roles text NOT NULL,
            claims text NULL,
            password_hash text NULL,
            active integer NOT NULL DEFAULT 1,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL
        );
        CREATE UNIQUE INDEX ux_accounts_login ON accounts (login);
        CREATE TABLE refresh_tokens (
            token_hash text PRIMARY KEY,
            family_id text NOT NULL,
            account_id text NOT NULL,
            issued_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            used_at bigint NULL,
            revoked_at bigint NULL
        );
        CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
        CREATE INDEX ix_refresh_tokens_account ON refresh_tokens (account_id);
        CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
        """;

    // One-time codes that let a user set a password: an invitation (a driver's first sign-in) or a reset. Kept as
    // SHA-256 like refresh tokens; a new code for an account replaces its unused ones.
    private const string V10Common =
        """
        CREATE TABLE account_codes (
            code_hash text PRIMARY KEY,
            account_id text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            used_at bigint NULL
        );
        CREATE INDEX ix_account_codes_account ON account_codes (account_id);
        """;

    // Groups accounts belong to (kinds declared by modules: an office, an agency), with a name and settings of their
    // own. A group's id is its claims' values joined by '_' (push-to-talk's office key {region}_{office}).
    private const string V11Common =
        """
        CREATE TABLE account_groups (
            kind text NOT NULL,
            group_id text NOT NULL,
            name text NOT NULL,
            tenant text NULL,
            time_zone text NULL,
            claims text NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (kind, group_id)
        );
        """;
}
