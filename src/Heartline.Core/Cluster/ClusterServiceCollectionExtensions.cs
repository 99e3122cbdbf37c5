using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Cluster mode when <c>Cluster:Enabled</c> is true: the bus, presence and floor control over PostgreSQL, node
    /// liveness and the audio peer links. Call before <c>AddRealtime</c> and <c>AddPtt</c>, whose single-node defaults
    /// it replaces (they register with TryAdd). Off, it only validates the section.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>());
        if (!configuration.GetValue<bool>(ClusterOptions.Section + ":" + nameof(ClusterOptions.Enabled))
            || services.Any(d => d.ServiceType == typeof(ClusterDatabase)))
            return services;

        services.PostConfigure<PresenceOptions>(presence => presence.SharedDatabase = true);
        services.AddSingleton<ClusterDatabase>();
        services.AddSingleton<PostgresPublicationLog>();
        services.AddSingleton<IPublicationLog>(sp => sp.GetRequiredService<PostgresPublicationLog>());
        services.AddSingleton<ClusterPresenceBackend>();
        services.AddSingleton<IPresenceBackend>(sp => sp.GetRequiredService<ClusterPresenceBackend>());
        services.AddSingleton<IClusterNotificationHandler>(sp => sp.GetRequiredService<PostgresPublicationLog>());
        services.AddSingleton<PeerLinks>();
        services.AddSingleton<IPeerRelay>(sp => sp.GetRequiredService<PeerLinks>());
        services.AddSingleton<PeerEndpoint>();
        services.AddSingleton<NodeLossCleanup>();
        services.AddSingleton<ClusterListener>();
        services.AddSingleton<ClusterNode>();
        services.AddSingleton<SharedLogTrimmer>();

        // Started in this order and stopped in reverse, after the connections closed: the log drains last. The node-id
        // guard goes first, before anything (startup cleanup included) acts on this node's rows.
        services.AddHostedService<NodeIdGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresPublicationLog>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterPresenceBackend>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterListener>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        services.AddHostedService(sp => sp.GetRequiredService<SharedLogTrimmer>());
        return services;
    }

    /// <summary>The endpoint other nodes send their real-time messages to (cluster mode only).</summary>
    public static IEndpointRouteBuilder MapCluster(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<ClusterOptions>>().Value.Enabled) return app;
        app.Map(PeerEndpoint.Path, (HttpContext http, PeerEndpoint endpoint) => endpoint.AcceptAsync(http)).ExcludeFromDescription();
        return app;
    }
}
