namespace Heartline.Core.Connections;

/// <summary>
/// Refuses new sockets as soon as the application starts stopping, then ends every connection before any hosted
/// service stops (a lifecycle service's <see cref="StoppingAsync"/> runs ahead of every <c>StopAsync</c>, whatever the
/// registration order), so their disconnect actions run while storage, the event log and every module are still up
/// and what those publish reaches the other connections before they close (<see cref="ConnectionHandler.StopAsync"/>).
/// Taking the catalogs modules add to (commands, binary kinds through the handler; error codes, channel namespaces)
/// makes a clash between two modules fail the start, not the first connection that meets it.
/// </summary>
#pragma warning disable CS9113 // errors and channels are taken for their construction-time checks only
internal sealed class RealtimeLifetime(ConnectionHandler handler, Presence.PresenceTracker presence, IHostApplicationLifetime lifetime,
    Protocol.ErrorCatalog errors, Channels.ChannelAccess channels)
    : IHostedLifecycleService
#pragma warning restore CS9113
{
    private CancellationTokenRegistration _registration;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Refuse new sockets the moment stopping begins (Kestrel still accepts until it stops).
        _registration = lifetime.ApplicationStopping.Register(static h => ((ConnectionHandler)h!).BeginStop(), handler);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _registration.DisposeAsync().ConfigureAwait(false);
        await handler.StopAsync(cancellationToken).ConfigureAwait(false);
        // Every connection is closed: their users' pending offlines are due now, while the event log still runs.
        presence.LeaveAll();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
