using Heartline.Cli;

// Ctrl+C cancels the running command, which then ends normally (watch exits 0) instead of being killed.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await Cli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
