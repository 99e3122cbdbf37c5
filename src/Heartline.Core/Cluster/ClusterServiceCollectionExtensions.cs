using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Leases;
using Heartline.Core.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Cluster mode (<c>Cluster:Enabled</c>): the bus, presence and leases over PostgreSQL, node liveness and the peer
    /// links. <c>AddHeartline</c> calls this or <see cref="AddSingleNode"/>, never both.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        AddClusterOptions(services);
        services.PostConfigure<PresenceOptions>(presence => presence.SharedDatabase = true);
        services.AddSingleton<ClusterDatabase>();
        services.AddSingleton<PostgresBroker>();
        services.AddSingleton<IBroker>(sp => sp.GetRequiredService<PostgresBroker>());
        services.AddSingleton<ClusterPresenceBackend>();
        services.AddSingleton<IPresenceBackend>(sp => sp.GetRequiredService<ClusterPresenceBackend>());
        services.AddSingleton<IClusterNotificationHandler>(sp => sp.GetRequiredService<PostgresBroker>());
        services.AddSingleton<PostgresLeases>();
        services.AddSingleton<ILeases>(sp => sp.GetRequiredService<PostgresLeases>());
        services.AddSingleton<IClusterNotificationHandler>(sp => sp.GetRequiredService<PostgresLeases>());
        services.AddSingleton<PeerLinks>();
        services.AddSingleton<IPeerRelay>(sp => sp.GetRequiredService<PeerLinks>());
        services.AddSingleton<PeerEndpoint>();
        services.AddSingleton<NodeLossCleanup>();
        services.AddSingleton<ClusterListener>();
        services.AddSingleton<ClusterNode>();
        services.AddSingleton<NodeIdGuard>();

        // The node-id guard runs as the host starts (after the migrator), before anything (startup cleanup included)
        // acts on this node's rows. The rest stop after the connections closed; the log drains last.
        services.AddHostedService(sp => sp.GetRequiredService<NodeIdGuard>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterPresenceBackend>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterListener>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        services.TryAddSingleton<Operations.INodesView, Operations.ClusterNodesView>();
        return services;
    }

    /// <summary>One node on its own: channels, presence and leases in process; no peers.</summary>
    public static IServiceCollection AddSingleNode(this IServiceCollection services)
    {
        AddClusterOptions(services);
        services.TryAddSingleton<MemoryBroker>();
        services.TryAddSingleton<IBroker>(sp => sp.GetRequiredService<MemoryBroker>());
        services.TryAddSingleton<ILeases, MemoryLeases>();
        services.TryAddSingleton<IPresenceBackend, LocalPresenceBackend>();
        services.TryAddSingleton<IPeerRelay, NoPeers>();
        services.TryAddSingleton<Operations.INodesView, Operations.LocalNodesView>();
        return services;
    }

    /// <summary>The <c>Cluster</c> section is validated in either mode, so a mistake shows before it is switched on.</summary>
    private static void AddClusterOptions(IServiceCollection services)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>());
    }

    /// <summary>The endpoint other nodes send their real-time messages to (cluster mode only).</summary>
    public static IEndpointRouteBuilder MapCluster(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<ClusterOptions>>().Value.Enabled) return app;
        app.Map(PeerEndpoint.Path, (HttpContext http, PeerEndpoint endpoint) => endpoint.AcceptAsync(http)).ExcludeFromDescription();
        return app;
    }
}
