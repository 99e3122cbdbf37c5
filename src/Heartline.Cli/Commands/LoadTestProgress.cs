using System.Collections.Concurrent;
using Spectre.Console;

namespace Heartline.Cli.Commands;

/// <summary>
/// The live progress display on stderr: one bar per stage (tokens, connect, rounds, streaming, close) with a detail
/// line the scenario updates (e.g. the p99 so far). Scenarios only bump counters; a render loop reads them ten times a
/// second, so progress costs the measured path one interlocked increment.
/// </summary>
internal sealed class LoadTestProgress
{
    private readonly ConcurrentQueue<(string Name, long Total)> _stages = new();
    private long _value;
    private string _detail = "";

    /// <summary>Starts a new stage of <paramref name="total"/> steps.</summary>
    public void Stage(string name, long total)
    {
        Interlocked.Exchange(ref _value, 0);
        _detail = "";
        _stages.Enqueue((name, Math.Max(total, 1)));
    }

    public void Advance(long steps = 1) => Interlocked.Add(ref _value, steps);

    /// <summary>Sets the stage's progress outright (for time-based stages).</summary>
    public void Set(long value) => Interlocked.Exchange(ref _value, value);

    /// <summary>A short status shown beside the current stage.</summary>
    public string Detail
    {
        get => Volatile.Read(ref _detail);
        set => Volatile.Write(ref _detail, value);
    }

    /// <summary>Runs <paramref name="body"/> under the display, or silently when <paramref name="console"/> is null.</summary>
    public async Task<T> RunAsync<T>(IAnsiConsole? console, Func<Task<T>> body)
    {
        if (console is null) return await body().ConfigureAwait(false);
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var run = body();
                ProgressTask? current = null;
                string? name = null;
                while (true)
                {
                    var finished = run.IsCompleted;
                    while (_stages.TryDequeue(out var stage))
                    {
                        if (current is not null) Complete(current, name!);
                        name = stage.Name;
                        current = context.AddTask(name, maxValue: stage.Total);
                    }
                    if (current is not null)
                    {
                        current.Value = Math.Min(Interlocked.Read(ref _value), (long)current.MaxValue);
                        var detail = Detail;
                        current.Description = detail.Length == 0 ? name! : $"{name} [grey]{Markup.Escape(detail)}[/]";
                    }
                    if (finished) break;
                    await Task.WhenAny(run, Task.Delay(100)).ConfigureAwait(false);
                }
                if (current is not null) Complete(current, name!);
                return await run.ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private void Complete(ProgressTask task, string name)
    {
        var detail = Detail;
        task.Description = detail.Length == 0 ? name : $"{name} [grey]{Markup.Escape(detail)}[/]";
        task.Value = task.MaxValue;
        task.StopTask();
    }
}
