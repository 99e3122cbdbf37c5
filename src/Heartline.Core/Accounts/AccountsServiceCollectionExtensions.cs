using Heartline.Core.Modules;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Heartline.Core.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    /// <summary>Accounts with sign-in (docs/accounts.md), part of the core: settings, store, directory, throttle, API.</summary>
    public static HeartlineModule AddAccounts(this HeartlineModule core)
    {
        var services = core.Services;
        services.AddOptions<AccountsOptions>().BindConfiguration(AccountsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<AccountStore>();
        services.TryAddSingleton<Accounts>();
        services.AddHostedService<AccountsStartup>();
        services.TryAddSingleton<IAccountsDirectory>(sp => sp.GetRequiredService<AccountDirectory>());
        services.TryAddSingleton<Groups>();
        services.TryAddSingleton<IGroups>(sp => sp.GetRequiredService<Groups>());
        return core
            .AddConnectGate<AccountDirectory>()
            .AddPeerMessages<AccountDirectory>()
            .AddSweeper<AccountDirectory>()
            .AddSweeper<SignInThrottle>()
            .AddSweeper<RefreshTokenPurge>();
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app) => app.MapSignInApi().MapAccountsAdminApi().MapGroupsAdminApi();
}
