using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Infrastructure;

/// <summary>A webhook receiver on loopback: every JSON body POSTed to <see cref="Url"/> lands in <see cref="Received"/>.</summary>
internal sealed class LocalWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalWebhook(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public Channel<JsonElement> Received { get; } = Channel.CreateUnbounded<JsonElement>();

    public static async Task<LocalWebhook> StartAsync(string path, TimeSpan timeout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        var app = builder.Build();
        LocalWebhook? hook = null;
        app.MapPost(path, async (HttpContext http) =>
        {
            await hook!.Received.Writer.WriteAsync((await http.Request.ReadFromJsonAsync<JsonElement>()).Clone());
            return Results.NoContent();
        });
        await app.StartAsync().WaitAsync(timeout);
        hook = new LocalWebhook(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path);
        return hook;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
