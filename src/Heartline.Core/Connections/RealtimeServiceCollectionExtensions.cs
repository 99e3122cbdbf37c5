using System.Threading.RateLimiting;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Connections;

internal static class RealtimeServiceCollectionExtensions
{
    /// <summary>The WebSocket transport, channels, presence and disconnect actions: everything modules build on.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Read from configuration, not the validated options: Kestrel's transport is built before the start-up validation
        // reports a bad Realtime setting in one line.
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>()
            .Configure<IConfiguration>((transport, configuration) => transport.UnsafePreferInlineScheduling =
                configuration.GetValue($"{RealtimeOptions.Section}:{nameof(RealtimeOptions.InlineIoScheduling)}", true));
        services.AddOptions<ChannelOptions>().BindConfiguration(ChannelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RealtimeOptions>, RealtimeOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelOptions>, ChannelOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PresenceOptions>, PresenceOptionsValidator>());

        services.TryAddSingleton<IdentityCatalog>();
        services.TryAddSingleton<ErrorCatalog>();
        services.TryAddSingleton<PresenceScopes>();
        services.TryAddSingleton<ChannelPresence>();
        services.TryAddSingleton<BinaryFrameRouter>();
        services.TryAddSingleton<ConnectInfo>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<CommandDispatcher>();
        services.TryAddSingleton<ConnectionHandler>();
        services.TryAddSingleton<ChannelHub>();
        services.TryAddSingleton<IChannels>(sp => sp.GetRequiredService<ChannelHub>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPeerMessageHandler, ChannelSignalPeer>());
        services.TryAddSingleton<OperatorDisconnects>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPeerMessageHandler, OperatorDisconnects>(sp => sp.GetRequiredService<OperatorDisconnects>()));
        services.TryAddSingleton<ChannelAccess>();
        services.TryAddSingleton<ChannelBudget>();
        services.TryAddSingleton<PresenceTracker>();
        services.TryAddSingleton<IPresence>(sp => sp.GetRequiredService<PresenceTracker>());
        services.TryAddSingleton(sp => new DisconnectActions(sp.GetRequiredService<IConnectionStore>(),
            () => sp.GetServices<IDisconnectActionHandler>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DisconnectActions>>()));
        services.TryAddSingleton<IDisconnectActions>(sp => sp.GetRequiredService<DisconnectActions>());
        services.TryAddSingleton<StartupCleanup>();
        services.TryAddSingleton<EndedConnectionPurge>();
        services.TryAddSingleton<OrphanedConnectionCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupCleanup>());
        services.AddHostedService<RealtimeLifetime>();

        services.TryAddSingleton<ConnectRateLimiter>();
        services.TryAddSingleton<DirectUpgrade>();
        // From configuration, like the transport above: Kestrel's endpoints are made before options are validated.
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
        {
            if (!configuration.GetValue($"{RealtimeOptions.Section}:{nameof(RealtimeOptions.DirectUpgrade)}", true)) return;
            kestrel.ConfigureEndpointDefaults(listen =>
                listen.Use(next => listen.ApplicationServices.GetRequiredService<DirectUpgrade>().Wrap(next)));
        });
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(HttpProblems.TooManyRequestsAsync(context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        // Rate-limited by the handler itself, with the limiter the direct upgrade uses.
        app.Map("/ws", (HttpContext context, ConnectionHandler handler) => handler.HandleAsync(context))
            .ExcludeFromDescription();
        return app;
    }
}

/// <summary>Cross-property rules of <see cref="RealtimeOptions"/>.</summary>
internal sealed class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RealtimeOptions options)
    {
        var failures = new List<string>();
        if (options.CommandBurst < 1) failures.Add("Realtime:CommandBurst must be at least 1.");
        if (options.MediaDropThreshold >= options.SendQueueCapacity)
            failures.Add("Realtime:MediaDropThreshold must be below Realtime:SendQueueCapacity, or media could close a listener as a slow consumer.");
        if (options.SendQueueMaxBytes < options.MaxMessageBytes)
            failures.Add("Realtime:SendQueueMaxBytes must be at least Realtime:MaxMessageBytes.");
        if (options.ClientPingIntervalSeconds * 2 > options.KeepAliveIntervalSeconds + options.KeepAliveTimeoutSeconds + 60)
            failures.Add("Realtime:ClientPingIntervalSeconds is too long for the keep-alive settings.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
