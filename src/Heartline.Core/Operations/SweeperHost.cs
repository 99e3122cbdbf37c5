namespace Heartline.Core.Operations;

/// <summary>
/// Periodic work of the core or a module (trimming history, ending what the network hid, purging old rows). A thin
/// host runs <see cref="SweepAsync"/> every <see cref="Period"/> on the injected clock; tests call it directly.
/// </summary>
public interface ISweeper
{
    /// <summary>A short name for logs and metrics, e.g. <c>ptt-stale</c>.</summary>
    string Name { get; }

    TimeSpan Period { get; }

    /// <summary>One sweep; returns how many items it removed or closed.</summary>
    Task<int> SweepAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs one <see cref="ISweeper"/> on a <see cref="PeriodicTimer"/> of the injected clock. A tick that comes while a
/// sweep is still running is skipped by the timer itself (ticks don't queue up); a failing sweep is logged and the
/// next tick tries again.
/// </summary>
internal sealed partial class SweeperHost<T>(T sweeper, TimeProvider time, HeartlineMetrics metrics, ILogger<T> logger)
    : BackgroundService where T : class, ISweeper
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(sweeper.Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var started = time.GetTimestamp();
                    var items = await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
                    metrics.Swept(items);
                    if (items > 0) Log.Swept(logger, sweeper.Name, items, time.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex, sweeper.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Debug, "Sweeper {Sweeper} removed {Items} items in {ElapsedMs} ms.")]
        public static partial void Swept(ILogger logger, string sweeper, int items, double elapsedMs);

        [LoggerMessage(1502, LogLevel.Error, "Sweeper {Sweeper} failed.")]
        public static partial void SweepFailed(ILogger logger, Exception exception, string sweeper);
    }
}
