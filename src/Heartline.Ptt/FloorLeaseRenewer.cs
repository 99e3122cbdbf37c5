namespace Heartline.Ptt;

/// <summary>Extends the stored leases of the floors this node's speakers hold, every third of a lease.</summary>
internal sealed partial class FloorLeaseRenewer(FloorControl floors, TimeProvider time, ILogger<FloorLeaseRenewer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(floors.RenewPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await floors.RenewLeasesAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RenewFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5401, LogLevel.Warning, "Floor leases could not be extended; retrying next period.")]
        public static partial void RenewFailed(ILogger logger, Exception exception);
    }
}
