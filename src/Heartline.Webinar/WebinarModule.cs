using System.Threading.RateLimiting;
using Heartline.Core.Accounts;
using Heartline.Core.Auth;
using Heartline.Core.Modules;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary><c>builder.AddHeartline().AddWebinar()</c>: webinar watch time (docs/webinar.md).</summary>
public static class WebinarModule
{
    /// <summary>The module's name: it keys its migrations.</summary>
    public const string Name = "webinar";

    /// <summary>Options (validated at startup), the store on the node's database, the tracker, the session sweeper and <c>/api/webinars</c>.</summary>
    public static HeartlineBuilder AddWebinar(this HeartlineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
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
        services.AddAuthorizationBuilder().AddPolicy(WebinarAdminApi.ManagerPolicy, policy => policy.RequireAssertion(
            context => context.Resource is HttpContext http && http.FindPrincipal() is { } principal && WebinarAccess.IsManager(principal)));
        services.TryAddSingleton<IWebinarStore, SqlWebinarStore>();
        services.TryAddSingleton<WebinarMetrics>();
        services.TryAddSingleton<GuestTokens>();
        services.TryAddSingleton<FinishedStatsCache>();
        services.TryAddSingleton<WebinarTracker>();

        builder.AddModule(Name)
            .AddRoles(new RoleDefinition("viewer", "Watches webinars as a signed-in viewer (and push-to-talk offices without talking)."))
            .AddRoles(WebinarAccess.Roles)
            .AddClaims(WebinarAccess.Claims)
            .AddGroupKinds(new GroupKind("agency", "A webinar agency: its hosts manage its webinars.", WebinarAccess.AgencyClaim))
            .AddErrorCodes(WebinarErrors.All)
            .AddMigrations(WebinarMigrations.All)
            .AddSweeper<WebinarSessionSweeper>()
            .AddMeter(WebinarMetrics.MeterName)
            .MapEndpoints(endpoints =>
            {
                var group = endpoints.MapGroup("/api/webinars").WithTags("Webinar");
                WebinarAdminApi.Map(group);
                WebinarTrackingApi.Map(group);
                WebinarStatsApi.Map(group);
                WebinarHistoryApi.Map(group);
            });
        return builder;
    }
}
