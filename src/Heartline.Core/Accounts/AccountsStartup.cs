using Heartline.Core.Auth;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Accounts;

/// <summary>
/// At start (after the schema migration): creates the first administrator from <c>Accounts:BootstrapAdmin</c> when
/// both its login and password are set and no active administrator exists yet, and loads the account directory.
/// </summary>
internal sealed partial class AccountsStartup(Accounts accounts, AccountStore store, AccountDirectory directory,
    IOptions<AccountsOptions> options, ILogger<AccountsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value.BootstrapAdmin;
        if (bootstrap is { Login: { Length: > 0 } login, Password: { Length: > 0 } password }
            && !await store.AnyActiveWithRoleAsync(CorePermissions.AdminRole, cancellationToken).ConfigureAwait(false))
        {
            var (account, problem, taken) = await accounts.CreateAsync(null, login, bootstrap.Name, password, [CorePermissions.AdminRole], null, null,
                null, cancellationToken).ConfigureAwait(false);
            // Taken: another node of the cluster starting at the same time created it.
            if (account is null && !taken) throw new InvalidOperationException($"Accounts:BootstrapAdmin could not be created: {problem}.");
            if (account is not null) Log.BootstrapAdminCreated(logger, account.Login);
        }
        await directory.SweepAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1802, LogLevel.Warning, "Created the first administrator {Login} from Accounts:BootstrapAdmin; remove the password from the settings now.")]
        public static partial void BootstrapAdminCreated(ILogger logger, string login);
    }
}

/// <summary>Deletes refresh tokens a day after they expired (hourly).</summary>
internal sealed class RefreshTokenPurge(AccountStore store, TimeProvider time) : ISweeper
{
    public string Name => "refresh-tokens";

    public TimeSpan Period => TimeSpan.FromHours(1);

    public Task<int> SweepAsync(CancellationToken cancellationToken) =>
        store.PurgeExpiredTokensAsync((time.GetUtcNow() - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), cancellationToken);
}
