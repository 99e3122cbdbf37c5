namespace Heartline.Core.Operations;

/// <summary>
/// A thin background loop on the injected clock around a sweep method that tests call directly. A tick that comes
/// while a sweep is still running is skipped by <see cref="PeriodicTimer"/> itself (ticks don't queue up).
/// </summary>
internal abstract partial class PeriodicSweeper(TimeProvider time, HeartlineMetrics metrics, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Period { get; }

    protected abstract string SweeperName { get; }

    /// <summary>One sweep; returns how many items it removed or closed.</summary>
    protected abstract Task<int> SweepAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var started = time.GetTimestamp();
                    var items = await SweepAsync(stoppingToken).ConfigureAwait(false);
                    metrics.Swept(items);
                    if (items > 0) Log.Swept(logger, SweeperName, items, time.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex, SweeperName);
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
