using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Heartline.Webinar;
using Microsoft.Extensions.Options;

// In the root namespace so that HeartlineApp wires the module with its two lines and no extra using.
namespace Heartline.Webinar;

/// <summary>The webinar watch-time module: <c>builder.Services.AddWebinar()</c> and <c>app.MapWebinarApi()</c>.</summary>
internal static class WebinarServiceCollectionExtensions
{
    /// <summary>Options (validated at startup), the store on the node's database, the tracker and the session sweeper.</summary>
    public static IServiceCollection AddWebinar(this IServiceCollection services)
    {
        services.AddOptions<WebinarOptions>().BindConfiguration(WebinarOptions.Section).ValidateOnStart();
        // After BindConfiguration, so the specification's environment variables win over Webinar:* keys.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<WebinarOptions>, WebinarOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebinarOptions>, WebinarOptionsValidator>());

        services.Configure<RateLimiterOptions>(limiter => limiter.AddPolicy(WebinarTrackingApi.RatePolicy, context =>
        {
            var options = context.RequestServices.GetRequiredService<IOptions<WebinarOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RequestRatePerIp,
                    Window = TimeSpan.FromSeconds(options.RequestRateWindowSeconds),
                    QueueLimit = 0,
                });
        }));
        services.TryAddSingleton<IWebinarStore, SqlWebinarStore>();
        services.TryAddSingleton<WebinarMetrics>();
        services.TryAddSingleton<GuestTokens>();
        services.TryAddSingleton<FinishedStatsCache>();
        services.TryAddSingleton<WebinarTracker>();
        if (!services.Any(d => d.ServiceType == typeof(WebinarSessionSweeper)))
        {
            services.AddSingleton<WebinarSessionSweeper>();
            services.AddHostedService(sp => sp.GetRequiredService<WebinarSessionSweeper>());
        }
        return services;
    }

    /// <summary>Everything under <c>/api/webinars</c>; see docs/webinar.md.</summary>
    public static IEndpointRouteBuilder MapWebinarApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webinars").WithTags("Webinar");
        WebinarAdminApi.Map(group);
        WebinarTrackingApi.Map(group);
        WebinarStatsApi.Map(group);
        return app;
    }
}
