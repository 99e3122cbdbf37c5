using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Heartline.Core.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Heartline.Core.Modules;

/// <summary>
/// What a module registers with the core: its commands, channel namespaces and their policies, roles and claims,
/// presence scopes, disconnect actions, binary frame kinds, error codes, migrations, sweepers, HTTP endpoints and
/// metrics. Type registrations (<c>Add…&lt;T&gt;</c>) are idempotent; lists (roles, claims, error codes, migrations,
/// endpoints) add what they are given on each call, so call each once. None depends on the order of modules or on the
/// node's mode (one node or a cluster): the core picks the implementations behind its interfaces. Clashes between
/// modules (a command, channel namespace or binary kind claimed twice, an error code with two advices) fail the start.
/// docs/architecture.md shows an example.
/// </summary>
public sealed class HeartlineModule
{
    internal HeartlineModule(string name, HeartlineBuilder host)
    {
        Name = name;
        Host = host;
    }

    /// <summary>The module's name: it keys its migrations (<c>schema_migrations.module</c>) and its error codes.</summary>
    public string Name { get; }

    internal HeartlineBuilder Host { get; }

    public IServiceCollection Services => Host.Services;

    public IConfiguration Configuration => Host.Configuration;

    /// <summary>Serves a WebSocket command; the handler's <see cref="ICommandHandler.Name"/> must be unique.</summary>
    public HeartlineModule AddCommand<T>() where T : class, ICommandHandler => Enumerable<ICommandHandler, T>();

    /// <summary>Owns a channel namespace (<c>ns:path</c>): who may subscribe and publish there.</summary>
    public HeartlineModule AddChannelPolicy<T>() where T : class, IChannelPolicy => Enumerable<IChannelPolicy, T>();

    /// <summary>Roles tokens may carry, with the permissions they grant.</summary>
    public HeartlineModule AddRoles(params RoleDefinition[] roles)
    {
        foreach (var role in roles) Services.AddSingleton(role);
        return this;
    }

    /// <summary>Claims the module reads from tokens, each with the rule its value follows.</summary>
    public HeartlineModule AddClaims(params ClaimDefinition[] claims)
    {
        foreach (var claim in claims) Services.AddSingleton(claim);
        return this;
    }

    /// <summary>
    /// Kinds of groups accounts belong to (a dispatch office, a webinar agency): each is named by the values of the
    /// claims it lists, which every member's tokens carry (docs/accounts.md, "Groups").
    /// </summary>
    public HeartlineModule AddGroupKinds(params Accounts.GroupKind[] kinds)
    {
        foreach (var kind in kinds) Services.AddSingleton(kind);
        return this;
    }

    /// <summary>The scopes a connection is announced in (presence), and who may watch each.</summary>
    public HeartlineModule AddPresenceScopes<T>() where T : class, IPresenceScopes => Enumerable<IPresenceScopes, T>();

    /// <summary>Runs a kind of disconnect action: once, whatever ends the connection (a crash included).</summary>
    public HeartlineModule AddDisconnectAction<T>() where T : class, IDisconnectActionHandler => Enumerable<IDisconnectActionHandler, T>();

    /// <summary>Receives binary frames whose first byte is the handler's kind (one module per kind).</summary>
    public HeartlineModule AddBinaryFrames<T>() where T : class, IBinaryFrameHandler => Enumerable<IBinaryFrameHandler, T>();

    /// <summary>Receives the real-time messages of one kind that peer nodes send (a cluster only).</summary>
    public HeartlineModule AddPeerMessages<T>() where T : class, IPeerMessageHandler => Enumerable<IPeerMessageHandler, T>();

    /// <summary>Learns when this node's connections open and end.</summary>
    public HeartlineModule AddConnectionObserver<T>() where T : class, IConnectionObserver => Enumerable<IConnectionObserver, T>();

    /// <summary>May refuse a <c>connect</c> with a valid token (the principal was removed since); closes it with <c>4503 revoked</c>.</summary>
    public HeartlineModule AddConnectGate<T>() where T : class, IConnectGate => Enumerable<IConnectGate, T>();

    /// <summary>A section of the module in <c>GET /api/admin/stats</c> (under <c>modules.{name}</c>).</summary>
    public HeartlineModule AddStats<T>() where T : class, IModuleStats => Enumerable<IModuleStats, T>();

    /// <summary>Adds fields to the <c>user</c> object of the <c>connect</c> reply.</summary>
    public HeartlineModule AddConnectInfo<T>() where T : class, IConnectInfo => Enumerable<IConnectInfo, T>();

    /// <summary>Ends what a crashed predecessor or a lost cluster node left of the module's state.</summary>
    public HeartlineModule AddNodeCleanup<T>() where T : class, INodeCleanup => Enumerable<INodeCleanup, T>();

    /// <summary>Error codes the module answers with; they join the one catalog (docs/protocol.md section 6).</summary>
    public HeartlineModule AddErrorCodes(params ErrorCode[] codes)
    {
        Services.AddSingleton(new ModuleErrorCodes(Name, codes));
        return this;
    }

    /// <summary>The module's schema steps, applied once each, in version order, after the core's.</summary>
    public HeartlineModule AddMigrations(params Migration[] migrations)
    {
        Services.AddSingleton(new ModuleMigrations(Name, migrations));
        return this;
    }

    /// <summary>Periodic work, run on the injected clock by a thin host.</summary>
    public HeartlineModule AddSweeper<T>() where T : class, ISweeper
    {
        Services.TryAddSingleton<T>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SweeperHost<T>>());
        return this;
    }

    /// <summary>Maps the module's HTTP endpoints (called by <c>MapHeartline</c>, after the core's).</summary>
    public HeartlineModule MapEndpoints(Action<IEndpointRouteBuilder> map)
    {
        Services.AddSingleton(new ModuleEndpoints(Name, map));
        return this;
    }

    /// <summary>A <see cref="System.Diagnostics.Metrics.Meter"/> of the module, exported with the core's metrics.</summary>
    public HeartlineModule AddMeter(string meterName)
    {
        Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(meterName));
        return this;
    }

    /// <summary>
    /// Registers <typeparamref name="TImplementation"/> once, as a singleton the module may also inject, and serves it as
    /// one of the <typeparamref name="TService"/>s: a class that is a hook and a service (or two hooks) is one object.
    /// </summary>
    private HeartlineModule Enumerable<TService, TImplementation>() where TService : class where TImplementation : class, TService
    {
        Services.TryAddSingleton<TImplementation>();
        if (Host.Hooks.Add((typeof(TService), typeof(TImplementation))))
            Services.AddSingleton<TService>(static sp => sp.GetRequiredService<TImplementation>());
        return this;
    }
}

/// <summary>One module's endpoint mapping, as registered.</summary>
internal sealed record ModuleEndpoints(string Module, Action<IEndpointRouteBuilder> Map);
