using Heartline.Core.Modules;
using Heartline.Ptt.Agora;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt;

/// <summary><c>builder.AddHeartline().AddPtt()</c>: push-to-talk for dispatch offices (docs/protocol.md section 10).</summary>
public static class PttModule
{
    /// <summary>The module's name: it keys its migrations.</summary>
    public const string Name = "ptt";

    /// <summary>
    /// Floor control over the core's leases, the audio relay, the <c>ptt.*</c> commands, the <c>ptt:</c> and
    /// <c>office:</c> channels, the office as presence scope, the speaker's release as a disconnect action, the HTTP API
    /// under <c>/api/ptt</c>, its tables, roles, claims and error codes.
    /// </summary>
    public static HeartlineBuilder AddPtt(this HeartlineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PttOptions>().BindConfiguration(PttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PttKpiOptions>().BindConfiguration(PttKpiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.WebhookUrl is null || o.WebhookUrl.StartsWith("http://", StringComparison.Ordinal) || o.WebhookUrl.StartsWith("https://", StringComparison.Ordinal),
                "Ptt:Kpi:WebhookUrl is an http or https URL")
            .ValidateOnStart();
        services.AddOptions<PttReportOptions>().BindConfiguration(PttReportOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.TimeZones.Values.All(z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out _)), "Ptt:Reports:TimeZones: every zone must be a known time zone")
            .ValidateOnStart();
        services.AddHttpClient(nameof(KpiAlerts), client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PttOptions>, PttOptionsValidator>());
        services.AddOptions<AgoraOptions>().BindConfiguration("Ptt:Agora").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgoraOptions>, AgoraOptionsValidator>());
        services.TryAddSingleton<PttStore>();
        services.TryAddSingleton<FloorControl>();
        services.TryAddSingleton<PttStatistics>();
        services.TryAddSingleton<Emergencies>();
        services.AddHostedService<FloorLeaseRenewer>();

        builder.AddModule(Name)
            .AddRoles(PttRoles.All)
            .AddClaims(PttIdentity.Claims)
            .AddGroupKinds(PttIdentity.OfficeGroup)
            .AddErrorCodes(PttErrors.All)
            .AddMigrations(PttMigrations.All)
            .AddPresenceScopes<PttPresenceScopes>()
            .AddConnectInfo<PttConnectInfo>()
            .AddConnectionObserver<PttConnectionObserver>()
            .AddBinaryFrames<PttMediaHandler>()
            .AddPeerMessages<PeerAudio>()
            .AddDisconnectAction<ReleaseFloorAction>()
            .AddNodeCleanup<PttNodeCleanup>()
            .AddChannelPolicy<PttChannelPolicy>()
            .AddChannelPolicy<OfficeChannelPolicy>()
            .AddCommand<PressCommand>()
            .AddCommand<EmergencyCommand>()
            .AddCommand<EmergencyAckCommand>()
            .AddCommand<ReleaseCommand>()
            .AddCommand<KeepaliveCommand>()
            .AddCommand<HeartbeatCommand>()
            .AddCommand<StateCommand>()
            .AddCommand<ReportCommand>()
            .AddSweeper<StaleSessionCleaner>()
            .AddSweeper<KpiAlerts>()
            .AddSweeper<PttReports>()
            .AddSweeper<Recordings.RecordingsPurge>()
            .MapEndpoints(endpoints => endpoints.MapPttApi());
        return builder;
    }
}
