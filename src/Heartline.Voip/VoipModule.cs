using System.Threading.RateLimiting;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Modules;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Voip;

/// <summary><c>builder.AddHeartline().AddVoip()</c>: VoIP guests and calls (seed 002; docs/voip.md).</summary>
public static class VoipModule
{
    /// <summary>The module's name: it keys its migrations and its section of the admin statistics.</summary>
    public const string Name = "voip";

    public static HeartlineBuilder AddVoip(this HeartlineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<VoipOptions>().BindConfiguration(VoipOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VoipOptions>, VoipOptionsValidator>());
        services.Configure<RateLimiterOptions>(limiter => limiter.AddPolicy(VoipGuestApi.AdmissionPolicy, context =>
        {
            var options = context.RequestServices.GetRequiredService<IOptions<VoipOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AdmissionsPerMinutePerIp, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        services.TryAddSingleton<GuestStore>();
        services.TryAddSingleton<GuestSessions>();
        services.TryAddSingleton<VoipMetrics>();
        services.TryAddSingleton<CallControl>();
        services.TryAddSingleton<VoipStatistics>();
        services.TryAddSingleton<GuestPurge>();
        services.TryAddSingleton<GuestCleanup>();
        // After the core's start-up cleanup (registered before any module), so guests a crash left open start their
        // reclaim window now.
        services.AddHostedService(sp => sp.GetRequiredService<GuestCleanup>());

        builder.AddModule(Name)
            .AddRoles(
                new RoleDefinition(VoipParties.GuestRole, "An anonymous VoIP guest (admitted by POST /api/voip/guests): calls parties of its tenant.", VoipParties.Call),
                new RoleDefinition(VoipParties.UserRole, "A signed-in user who calls and is called by the guests of its tenant.", VoipParties.Call))
            .AddErrorCodes(VoipErrors.All)
            .AddMigrations(VoipMigrations.All)
            .AddChannelPolicy<InboxPolicy>()
            .AddPresenceScopes<VoipScopes>()
            .AddConnectGate<VoipConnectionHooks>()
            .AddConnectionObserver<VoipConnectionHooks>()
            .AddDisconnectAction<PartyLeft>()
            .AddCommand<CallCommand>()
            .AddCommand<AcceptCommand>()
            .AddCommand<RejectCommand>()
            .AddCommand<CancelCommand>()
            .AddCommand<HangupCommand>()
            .AddCommand<SignalCommand>()
            .AddCommand<PongCommand>()
            .AddCommand<RenewCommand>()
            .AddSweeper<GuestLiveness>()
            .AddSweeper<GuestCleanup>()
            .AddStats<VoipStatistics>()
            .AddMeter(VoipMetrics.MeterName)
            .MapEndpoints(endpoints =>
            {
                VoipGuestApi.Map(endpoints.MapGroup("/api/voip").WithTags("VoIP"));
                VoipAdminApi.Map(endpoints);
            });
        return builder;
    }

    /// <summary><c>voip:{party}</c>: a party's inbox of call events, read by that party alone; only the server publishes.</summary>
    private sealed class InboxPolicy : IChannelPolicy
    {
        public string Namespace => "voip";

        public ErrorCode? CanSubscribe(Principal principal, string path) =>
            VoipParties.IsParty(principal) && path == principal.SubjectId ? null : ErrorCodes.Forbidden;

        public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;
    }

    /// <summary>Parties are present in <c>voip/{tenant}</c>, which the parties of that tenant may watch.</summary>
    private sealed class VoipScopes(IOptions<VoipOptions> options) : IPresenceScopes
    {
        public void AddScopes(Principal principal, ICollection<string> scopes)
        {
            if (VoipParties.IsParty(principal)) scopes.Add(GuestNames.Scope(VoipParties.TenantOf(principal, options.Value.DefaultTenant)));
        }

        public bool? CanObserve(Principal principal, string scope) =>
            scope.StartsWith("voip/", StringComparison.Ordinal)
                ? VoipParties.IsParty(principal) && scope == GuestNames.Scope(VoipParties.TenantOf(principal, options.Value.DefaultTenant))
                : null;
    }
}
