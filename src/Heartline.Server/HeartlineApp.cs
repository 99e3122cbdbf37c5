using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Operations;
using Heartline.Ptt;
using Heartline.Core.Storage;
using Heartline.Webinar;

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
            o.SerializerOptions.Converters.Add(new Heartline.Core.Protocol.ExplicitOffsetConverter());
        });
        builder.Services.AddHeartlineStorage();
        builder.Services.AddOperations(builder.Configuration);
        builder.Services.AddSingleton<EventLogWriteCallback>(sp => sp.GetRequiredService<HeartlineMetrics>().EventLogWrite);
        builder.Services.AddHeartlineAuth();
        builder.Services.AddCluster(builder.Configuration);
        builder.Services.AddRealtime();
        builder.Services.AddPtt(builder.Configuration);
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
