using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Infrastructure;

/// <summary>
/// A test class with its own real server on loopback, started with <see cref="Settings"/>. After the tests it asserts
/// that nothing was logged at Error: a client's fault is never a server error.
/// </summary>
public abstract class RealServerTest : IAsyncLifetime
{
    protected LogRecorder Logs { get; } = new();

    protected HeartlineServer Server { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync() =>
        Server = await HeartlineServer.StartAsync(Settings, services: s => s.AddSingleton<ILoggerProvider>(Logs));

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Assert.Empty(Logs.Errors);
    }
}
