using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Client;

/// <summary>A bare Kestrel on a free loopback port serving one WebSocket handler at <c>/ws</c>, for stub servers.</summary>
internal sealed class StubWebSocketHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubWebSocketHost(WebApplication app, Uri webSocketUri)
    {
        _app = app;
        WebSocketUri = webSocketUri;
    }

    public Uri WebSocketUri { get; }

    public static async Task<StubWebSocketHost> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", handler);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StubWebSocketHost(app, new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}
