using System.CommandLine;
using Heartline.Cli.Commands;

namespace Heartline.Cli;

/// <summary>Process exit codes of every command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran and failed (server unreachable, refused, timed out).</summary>
    public const int Failure = 1;
    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;
}

/// <summary>The <c>heartline</c> command line: parse, reject bad arguments with exit code 2, run.</summary>
internal static class Cli
{
    /// <param name="stdin">Standard input (passwords are read from it); default: the console's.</param>
    public static RootCommand CreateRoot(TextReader? stdin = null) =>
        new("heartline: tools for a Heartline server / Heartline 서버 도구")
        {
            TokenCommand.Create(),
            WatchCommand.Create(),
            StatsCommand.Create(),
            StatsCommand.CreateGuests(),
            OperatorCommand.CreateEndSession(),
            OperatorCommand.CreateStaleClean(),
            OperatorCommand.CreateDisconnect(),
            AdminCommand.Create(() => stdin ?? Console.In),
            AgoraTokenCommand.Create(),
            LoadTestCommand.Create(),
        };

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, null, stdout, stderr, cancellationToken);

    /// <param name="stdin">Standard input (passwords); null: the console's.</param>
    public static async Task<int> RunAsync(string[] args, TextReader? stdin, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default)
    {
        var parseResult = CreateRoot(stdin).Parse(args);
        // Help and version clear parse errors ("token --help" need not be a complete command line).
        if (parseResult.Errors.Count > 0 && parseResult.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in parseResult.Errors) await stderr.WriteLineAsync(error.Message);
            await stderr.WriteLineAsync(Texts.SeeHelp);
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Program.cs owns Ctrl+C and passes it in as the cancellation token.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
