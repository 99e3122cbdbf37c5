using Heartline.Core.Connections;
using Heartline.Ptt.Agora;
using Heartline.Core.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

internal static class PttServiceCollectionExtensions
{
    public static IServiceCollection AddPtt(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Cluster:Enabled"))
        {
            services.AddSingleton<Cluster.ClusterFloorControl>();
            services.AddSingleton<IFloorControl>(sp => sp.GetRequiredService<Cluster.ClusterFloorControl>());
            services.AddSingleton<Heartline.Core.Cluster.IClusterNotificationHandler>(sp => sp.GetRequiredService<Cluster.ClusterFloorControl>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Heartline.Core.Cluster.IPeerMessageHandler, Cluster.PeerAudio>());
            services.AddHostedService<Cluster.FloorLeaseRenewer>();
        }
        services.AddOptions<PttOptions>().BindConfiguration(PttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PttOptions>, PttOptionsValidator>());
        services.AddOptions<AgoraOptions>().BindConfiguration("Ptt:Agora").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgoraOptions>, AgoraOptionsValidator>());

        services.TryAddSingleton<PttStore>();
        services.TryAddSingleton<FloorControl>();
        services.TryAddSingleton<IFloorControl>(sp => sp.GetRequiredService<FloorControl>());
        services.TryAddSingleton<PttStatistics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionObserver, PttConnectionObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMediaFrameHandler, PttMediaHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDisconnectActionHandler, ReleaseFloorAction>());
        services.AddChannelPolicy<PttChannelPolicy>();
        services.AddChannelPolicy<OfficeChannelPolicy>();
        services.AddCommand<PressCommand>();
        services.AddCommand<ReleaseCommand>();
        services.AddCommand<KeepaliveCommand>();
        services.AddCommand<HeartbeatCommand>();
        services.AddCommand<StateCommand>();
        services.AddCommand<ReportCommand>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INodeCleanup, PttNodeCleanup>());
        services.AddHostedService<StaleSessionCleaner>();
        return services;
    }
}
