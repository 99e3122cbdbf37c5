using Heartline.Core.Auth;
using Heartline.Core.Storage;

namespace Heartline.Core.Accounts;

/// <summary>
/// <c>Heartline.Server admin create --login L --password-stdin [--name N] [--role R]… [--claim K=V]…</c>: creates an
/// account in the server's database (its settings, as for a start: appsettings, environment, the remaining
/// arguments), without starting the server; the first administrator of a deployment, by default. Migrates the schema
/// first. Exit code 0 created, 1 refused (the reason on standard error), 2 a usage error.
/// </summary>
public static class AccountsCommandLine
{
    public const string Usage =
        "usage: admin create --login LOGIN --password-stdin [--name NAME] [--role ROLE]... [--claim NAME=VALUE]... [server settings]";

    /// <summary>Whether <paramref name="args"/> ask for this command.</summary>
    public static bool Handles(string[] args) => args is ["admin", ..];

    /// <param name="build">Builds the host from the settings arguments (the ones this command does not take).</param>
    public static async Task<int> RunAsync(string[] args, Func<string[], WebApplication> build, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(build);
        if (args is not ["admin", "create", ..])
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }
        string? login = null, name = null;
        var fromStdin = false;
        List<string> roles = [];
        Dictionary<string, string> claims = new(StringComparer.Ordinal);
        List<string> rest = [];
        for (var i = 2; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--login": login = Next(); break;
                case "--name": name = Next(); break;
                case "--role": if (Next() is { } role) roles.Add(role); break;
                case "--claim" when Next() is { } claim && claim.Split('=', 2) is [var key, var value]: claims[key] = value; break;
                case "--claim":
                    await error.WriteLineAsync("--claim takes NAME=VALUE").ConfigureAwait(false);
                    return 2;
                case "--password-stdin": fromStdin = true; break;
                default: rest.Add(args[i]); break;
            }
        }
        if (login is null || !fromStdin)
        {
            await error.WriteLineAsync(Usage + Environment.NewLine + "(the password is read from standard input, never from the command line)").ConfigureAwait(false);
            return 2;
        }
        var password = (await input.ReadLineAsync().ConfigureAwait(false))?.TrimEnd('\r') ?? "";
        if (roles.Count == 0) roles.Add(CorePermissions.AdminRole);

        await using var app = build([.. rest]);
        var services = app.Services;
        await DatabaseSteps.MigrateAsync(services.GetRequiredService<IHeartlineDatabase>(), services.GetRequiredService<SchemaMigrations>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<AccountDirectory>>(), CancellationToken.None).ConfigureAwait(false);
        var (account, problem, _) = await services.GetRequiredService<Accounts>()
            .CreateAsync(null, login, name, password, roles, claims, null, null, CancellationToken.None).ConfigureAwait(false);
        if (account is null)
        {
            await error.WriteLineAsync("not created: " + problem).ConfigureAwait(false);
            return 1;
        }
        await output.WriteLineAsync($"created {account.Login} ({account.UserId}) with roles {string.Join(", ", account.Roles)}").ConfigureAwait(false);
        return 0;
    }
}
