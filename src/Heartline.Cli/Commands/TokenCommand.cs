using System.CommandLine;

namespace Heartline.Cli.Commands;

/// <summary><c>heartline token</c>: mints a development token through the server and prints it alone on stdout.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "User id.", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "call_manager, pickup_driver, admin, viewer or guest.",
            Required = true,
        };
        var region = new Option<string>("--region") { Description = "Region id.", Required = true };
        var office = new Option<string>("--office") { Description = "Office id within the region.", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name. Default: the user id." };
        var ttl = new Option<int>("--ttl") { Description = "Lifetime in seconds.", DefaultValueFactory = _ => 3600 };
        var server = ServerOption.Create();

        var command = new Command("token", "Mint a development token / 개발용 토큰 발급")
        {
            user, role, region, office, name, ttl, server,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var token = await DevTokens.MintAsync(ServerOption.Get(parseResult, server), new DevTokenRequest(
                    parseResult.GetValue(user)!, parseResult.GetValue(name), parseResult.GetValue(role)!,
                    parseResult.GetValue(region)!, parseResult.GetValue(office)!, parseResult.GetValue(ttl)), cancellationToken);
                await output.WriteLineAsync(token);
                return ExitCodes.Ok;
            }
            catch (CliFailure ex)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
