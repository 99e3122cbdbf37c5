namespace Heartline.Core.Connections;

/// <summary>
/// Closes every connection as soon as the application starts stopping (before Kestrel waits for requests to end), so
/// their disconnect actions run while storage and the event log are still up; stopping waits for the teardown.
/// </summary>
internal sealed class RealtimeLifetime(ConnectionHandler handler, Presence.PresenceTracker presence, IHostApplicationLifetime lifetime)
    : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(static h => ((ConnectionHandler)h!).BeginStop(), handler);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _registration.DisposeAsync().ConfigureAwait(false);
        await handler.StopAsync(cancellationToken).ConfigureAwait(false);
        // Every connection is closed: their users' pending offlines are due now, while the event log still runs.
        presence.LeaveAll();
    }
}
