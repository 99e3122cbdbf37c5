using Heartline.Server.Connections;
using Heartline.Server.Ptt.Agora;
using Heartline.Server.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Server.Ptt;

internal static class PttServiceCollectionExtensions
{
    public static IServiceCollection AddPtt(this IServiceCollection services)
    {
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
        services.AddCommand<PressCommand>();
        services.AddCommand<ReleaseCommand>();
        services.AddCommand<KeepaliveCommand>();
        services.AddCommand<HeartbeatCommand>();
        services.AddCommand<StateCommand>();
        services.AddCommand<ReportCommand>();
        services.AddHostedService<PttStartupCleanup>();
        services.AddHostedService<StaleSessionCleaner>();
        return services;
    }
}
