using System.CommandLine;
using System.Globalization;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline token</c>: mints a development token through the server and prints it alone on stdout. A token names a
/// subject and its roles, and optionally a kind, a tenant and push-to-talk's office (<c>--region</c> with <c>--office</c>).
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var token = new DevTokenOptions(required: true, defaultRole: null);
        var ttl = new Option<int>("--ttl")
        {
            Description = "Lifetime in seconds (1-604800).",
            DefaultValueFactory = _ => 3600,
            CustomParser = result =>
            {
                if (result.Tokens is [var given] && int.TryParse(given.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    && seconds is >= 1 and <= DevTokenOptions.MaxTtlSeconds)
                    return seconds;
                result.AddError(Texts.TtlRange);
                return 0;
            },
        };
        var server = ServerOption.Create();

        var command = new Command("token", "Mint a development token / 개발용 토큰 발급");
        foreach (var option in token.All) command.Options.Add(option);
        command.Options.Add(ttl);
        command.Options.Add(server);
        command.Validators.Add(token.Validate);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var minted = await DevTokens.MintAsync(ServerOption.Get(parseResult, server),
                    token.Request(parseResult, parseResult.GetValue(ttl)), cancellationToken);
                await output.WriteLineAsync(minted);
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
