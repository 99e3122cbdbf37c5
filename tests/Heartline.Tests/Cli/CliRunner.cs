extern alias cli;

using System.Text;

namespace Heartline.Tests.Cli;

/// <summary>Runs the <c>heartline</c> entry point in-process with captured output; every run is bounded.</summary>
internal static class CliRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await cli::Heartline.Cli.Cli.RunAsync(args, stdout, stderr).WaitAsync(Timeout);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with <paramref name="stdin"/> as standard input (a password).</summary>
    public static async Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await cli::Heartline.Cli.Cli.RunAsync(args, new StringReader(stdin), stdout, stderr).WaitAsync(Timeout);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts a run and returns at once, with a writer for stderr that reports each line as it is written.</summary>
    public static (Task<int> Exit, StringWriter Out, LineSignal Err) Start(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new LineSignal();
        return (Task.Run(() => cli::Heartline.Cli.Cli.RunAsync(args, stdout, stderr)), stdout, stderr);
    }
}

/// <summary>A text writer whose <see cref="WaitForAsync"/> completes when a line containing some text was written.</summary>
internal sealed class LineSignal : StringWriter
{
    private readonly Lock _lock = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            base.WriteLine(value);
            foreach (var (text, seen) in _waiters)
            {
                if (value?.Contains(text, StringComparison.Ordinal) == true) seen.TrySetResult();
            }
        }
    }

    public Task WaitForAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (ToString().Contains(text, StringComparison.Ordinal)) return Task.CompletedTask;
            _waiters.Add((text, seen));
        }
        return seen.Task.WaitAsync(CliRunner.Timeout);
    }

    public override string ToString()
    {
        lock (_lock) return base.ToString();
    }
}
