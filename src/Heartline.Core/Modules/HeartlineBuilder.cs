using Heartline.Core.Accounts;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Heartline.Core.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Modules;

/// <summary>The core of a Heartline host, to which modules add themselves (<see cref="AddModule"/>).</summary>
public sealed class HeartlineBuilder
{
    private readonly HashSet<string> _modules = new(StringComparer.Ordinal);

    /// <summary>The (interface, implementation) pairs modules registered, so each is served once.</summary>
    internal HashSet<(Type Service, Type Implementation)> Hooks { get; } = [];

    internal HeartlineBuilder(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        Services = services;
        Configuration = configuration;
        Environment = environment;
        IsCluster = configuration.GetValue<bool>(ClusterOptions.Section + ":" + nameof(ClusterOptions.Enabled));
    }

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    public IHostEnvironment Environment { get; }

    /// <summary>Whether this node joins a cluster (<c>Cluster:Enabled</c>); modules rarely need to know.</summary>
    public bool IsCluster { get; }

    /// <summary>Starts a module's registrations. A name is used once: it keys the module's migrations.</summary>
    public HeartlineModule AddModule(string name)
    {
        if (!Identifiers.IsId(name) || !_modules.Add(name))
            throw new InvalidOperationException($"Module name '{name}' is not an id or is already taken.");
        return new HeartlineModule(name, this);
    }
}

/// <summary><c>builder.AddHeartline()</c> and <c>app.MapHeartline()</c>: the core, on which modules are added.</summary>
public static class HeartlineHostExtensions
{
    /// <summary>The module name under which the core registers its own migrations, codes and roles.</summary>
    public const string CoreModule = "core";

    /// <summary>
    /// The core: storage (SQLite, or PostgreSQL), the durable event log, tokens, the WebSocket transport, channels,
    /// presence, operations, and in cluster mode (<c>Cluster:Enabled</c>) the PostgreSQL bus, presence, leases and
    /// node liveness. Call once; add modules on the builder it returns.
    /// </summary>
    public static HeartlineBuilder AddHeartline(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var heartline = new HeartlineBuilder(builder.Services, builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new ExplicitOffsetConverter());
        });
        services.AddHeartlineStorage();
        services.AddOperations(builder.Configuration);
        services.AddHeartlineAuth();
        services.AddRealtime();
        if (heartline.IsCluster) services.AddCluster();
        else services.AddSingleNode();
        var isCluster = heartline.IsCluster;
        services.AddSingleton(sp => new HeartlineNode(sp.GetRequiredService<IOptions<PresenceOptions>>().Value.NodeId, isCluster));

        heartline.AddModule(CoreModule)
            .AddRoles(
                new RoleDefinition(CorePermissions.AdminRole, "Administers the server: admin endpoints and every scope.", CorePermissions.Administer),
                new RoleDefinition(CorePermissions.GuestRole, "An anonymous guest admitted by a module."))
            .AddErrorCodes([.. ErrorCodes.All])
            .AddChannelPolicy<PresenceChannelPolicy>()
            .AddChannelPolicy<UserChannelPolicy>()
            .AddCommand<PingCommand>()
            .AddCommand<RefreshCommand>()
            .AddCommand<SubscribeCommand>()
            .AddCommand<UnsubscribeCommand>()
            .AddCommand<PublishCommand>()
            .AddCommand<PresenceCommand>()
            .AddSweeper<ChannelSweeper>()
            .AddSweeper<PresenceSweeper>()
            .AddAccounts();
        return heartline;
    }

    /// <summary>The middleware and endpoints of the core (<c>/ws</c>, health, admin API, pages), then every module's.</summary>
    public static WebApplication MapHeartline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // A problem document for an unhandled exception (no stack trace, no request headers) and for bodiless errors.
        // In Development the framework's developer page comes first and answers API clients with a problem document too.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        // Before the static files: the SDK scripts are fetched cross-origin by pages that Http:AllowedOrigins names.
        app.UseCors();
        app.UseWebPages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOperationsApi();
        app.MapAuthApi();
        app.MapAccounts();
        app.MapEventsApi();
        app.MapConnectionsAdminApi();
        app.MapNodesApi();
        app.MapRealtime();
        app.MapCluster();
        foreach (var module in app.Services.GetServices<ModuleEndpoints>()) module.Map(app);
        return app;
    }
}
