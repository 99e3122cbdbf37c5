namespace Heartline.Server.Connections;

/// <summary>
/// Registered last so it stops first: closes every connection (their disconnect actions run) before the event log
/// and storage shut down.
/// </summary>
internal sealed class RealtimeLifetime(ConnectionHandler handler) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => handler.StopAsync(cancellationToken);
}
