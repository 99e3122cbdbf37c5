using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline admin create --login L --password-stdin [--name N] [--role R]… [--claim K=V]… --token ADMIN</c>:
/// creates an account on a running server (<c>POST /api/admin/accounts</c>, docs/accounts.md). The password is read
/// from standard input, never from the command line. The very first administrator comes from the server's settings
/// or its own <c>admin create</c>, which need no token.
/// </summary>
internal static class AdminCommand
{
    public static Command Create(Func<TextReader> stdin)
    {
        var token = new Option<string>("--token") { Description = "An administrator's access token.", Required = true };
        var login = new Option<string>("--login") { Description = "The new account's login (3-64 of a-z 0-9 - . @ _).", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (required)." };
        var name = new Option<string?>("--name") { Description = "Display name. Default: the login." };
        var roles = new Option<string[]>("--role") { Description = "A role (repeat for several). Default: admin.", AllowMultipleArgumentsPerToken = false };
        var claims = new Option<string[]>("--claim") { Description = "A group claim NAME=VALUE, e.g. office=o1 (repeatable)." };
        var server = ServerOption.Create();
        var create = new Command("create", "Create an account (admin) / 계정 만들기") { token, login, passwordStdin, name, roles, claims, server };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!parseResult.GetValue(passwordStdin))
            {
                await error.WriteLineAsync(Texts.PasswordStdin);
                return ExitCodes.Usage;
            }
            var claimMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var claim in parseResult.GetValue(claims) ?? [])
            {
                if (claim.Split('=', 2) is not [var key, var value])
                {
                    await error.WriteLineAsync(Texts.ClaimFormat);
                    return ExitCodes.Usage;
                }
                claimMap[key] = value;
            }
            var password = (await stdin().ReadLineAsync(cancellationToken))?.TrimEnd('\r') ?? "";
            var given = parseResult.GetValue(roles) is { Length: > 0 } r ? r : ["admin"];
            try
            {
                using var http = ServerOption.CreateHttpClient(ServerOption.Get(parseResult, server));
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", parseResult.GetValue(token));
                var body = new Dictionary<string, object?>
                {
                    ["login"] = parseResult.GetValue(login), ["name"] = parseResult.GetValue(name), ["password"] = password,
                    ["roles"] = given, ["claims"] = claimMap,
                };
                using var response = await Http.SendAsync(() => http.PostAsJsonAsync("/api/admin/accounts", body, cancellationToken), cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Unauthorized: throw new CliFailure(Texts.Unauthorized);
                    case HttpStatusCode.Forbidden: throw new CliFailure($"{Texts.OperatorForbidden}: {Http.Detail(text)}");
                    case HttpStatusCode.Conflict: throw new CliFailure($"{Texts.AccountTaken}: {Http.Detail(text)}");
                    case var status when (int)status >= 400: throw new CliFailure($"{Texts.OperatorFailed}: {(int)status} {Http.Detail(text)}");
                }
                using var document = JsonDocument.Parse(text);
                var account = document.RootElement;
                var roleList = string.Join(", ", account.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
                await output.WriteLineAsync($"{Texts.AccountCreated}: {account.GetProperty("login").GetString()} ({roleList})");
                return ExitCodes.Ok;
            }
            catch (CliFailure ex)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.Failure;
            }
        });
        return new Command("admin", "Accounts (admin) / 계정 관리") { create };
    }
}
