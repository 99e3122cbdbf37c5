using System.Diagnostics;
using System.Text;

namespace Heartline.Tests.Infrastructure;

/// <summary>Runs <c>node --test PATH</c> from the repository root with a bounded time, collecting its output.</summary>
internal static class NodeTestRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string testPath, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add(testPath);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"cannot start node ({ex.Message}): Node.js 20 or later must be on PATH.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Fail($"node --test {testPath} did not finish within {timeout.TotalSeconds} s:{Environment.NewLine}{Read(output)}");
        }
        // WaitForExitAsync returns after the redirected streams reached their end, so the output is complete.
        return (process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static string Read(StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
