using System.Text.Json;
using Heartline.Server.Auth;
using Heartline.Server.Cluster;
using Heartline.Server.Connections;
using Heartline.Server.Events;
using Heartline.Server.Operations;
using Heartline.Server.Ptt;
using Heartline.Server.Storage;

namespace Heartline.Server;

/// <summary>Composes the server. Program.cs runs it; tests build it with their own configuration.</summary>
public static class HeartlineApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json and wwwroot are copied next to the binaries, so the working directory doesn't matter
            // (it only anchors the default ./data/ database folder).
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.TryAddTimeProvider();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new Protocol.ExplicitOffsetConverter());
        });
        builder.Services.AddHeartlineStorage();
        builder.Services.AddOperations(builder.Configuration);
        builder.Services.AddSingleton<Events.EventLogWriteCallback>(sp => sp.GetRequiredService<HeartlineMetrics>().EventLogWrite);
        builder.Services.AddHeartlineAuth();
        builder.Services.AddCluster(builder.Configuration);
        builder.Services.AddRealtime();
        builder.Services.AddPtt();
        builder.Services.AddWebinar();
        configure?.Invoke(builder);
        builder.Services.AddRealtimeLifetime();

        var app = builder.Build();
        app.UseWebSockets();
        app.UseWebPages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOperationsApi();
        app.MapAuthApi();
        app.MapEventsApi();
        app.MapRealtime();
        app.MapPttApi();
        app.MapCluster();
        app.MapWebinarApi();
        return app;
    }

    private static void TryAddTimeProvider(this IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(services, TimeProvider.System);
}
