using System.Text.Json;
using System.Threading.RateLimiting;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Modules;
using Heartline.Core.Operations;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary><c>builder.AddHeartline().AddQna()</c>: neighbourhood Q&amp;A on Jeju (seed 003; docs/qna.md).</summary>
public static class QnaModule
{
    /// <summary>The module's name: it keys its migrations and its section of the admin statistics.</summary>
    public const string Name = "qna";

    public static HeartlineBuilder AddQna(this HeartlineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<QnaOptions>().BindConfiguration(QnaOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneExists(o.TimeZone), "Qna:TimeZone must name a time zone of this machine (e.g. Asia/Seoul)")
            .ValidateOnStart();
        services.Configure<RateLimiterOptions>(limiter => limiter.AddPolicy(QnaApi.RatePolicy, context =>
        {
            var options = context.RequestServices.GetRequiredService<IOptions<QnaOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RequestsPerMinutePerIp, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        services.TryAddSingleton<QnaStore>();
        services.TryAddSingleton<QnaGuard>();
        services.TryAddSingleton<QnaMetrics>();
        services.TryAddSingleton<Notifier>();
        services.TryAddSingleton<Nearby>();
        services.TryAddSingleton(NearbyUsersRegistration.Create);
        services.AddOptions<WebPushOptions>().BindConfiguration(WebPushOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.PublicKey is { Length: > 0 } == o.PrivateKey is { Length: > 0 }, "Qna:WebPush:PublicKey and PrivateKey are set together, or neither")
            .Validate(o => o.Subject.StartsWith("mailto:", StringComparison.Ordinal) || o.Subject.StartsWith("https://", StringComparison.Ordinal),
                "Qna:WebPush:Subject is a mailto: or https: URL")
            .ValidateOnStart();
        services.AddHttpClient(nameof(WebPushSender), client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddHttpClient(nameof(SlowResponses), client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<WebPushSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebPushSender>());

        builder.AddModule(Name)
            .AddRoles(new RoleDefinition(QnaPermissions.UserRole, "A resident or visitor of the Q&A service: asks, answers, is told of questions nearby.",
                QnaPermissions.Use))
            .AddErrorCodes(QnaErrors.All)
            .AddMigrations(QnaMigrations.All)
            .AddChannelPolicy<QnaChannels>()
            .AddConnectionObserver<Typing>()
            .AddCommand<AskCommand>()
            .AddCommand<AnswerCommand>()
            .AddCommand<AcceptCommand>()
            .AddCommand<CloseCommand>()
            .AddCommand<GetCommand>()
            .AddCommand<TypingCommand>()
            .AddCommand<ReceiptCommand>()
            .AddCommand<UnreadCommand>()
            .AddCommand<LocationCommand>()
            .AddCommand<NearbyCommand>()
            .AddCommand<SettingsCommand>()
            .AddCommand<NotificationsCommand>()
            .AddCommand<NotificationsReadCommand>()
            .AddCommand<PointsCommand>()
            .AddCommand<PushSubscribeCommand>()
            .AddCommand<PushUnsubscribeCommand>()
            .AddSweeper<TierJobs>()
            .AddSweeper<LocationRetention>()
            .AddSweeper<SlowResponses>()
            .AddStats<QnaStatistics>()
            .AddMeter(QnaMetrics.MeterName)
            .MapEndpoints(QnaApi.Map);
        return builder;
    }

    private static bool TimeZoneExists(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>
    /// <c>qna:admin</c>: administrators' alerts (slow responses). <c>qna:q.{question}</c>: a question's room, open to every Q&amp;A user (questions are public), with presence. <c>qna:u.{user}</c>:
    /// a user's inbox, read by that user alone. Only the server publishes in either. No slash in the path: each room and
    /// inbox is its own scope of the channel budget (docs/protocol.md 5.1), not 1,000 of them sharing <c>qna:u</c>.
    /// </summary>
    private sealed class QnaChannels : IChannelPolicy
    {
        public string Namespace => "qna";

        public ErrorCode? CanSubscribe(Principal principal, string path)
        {
            if (path == "admin") return principal.IsAdministrator ? null : ErrorCodes.Forbidden;
            if (!QnaPermissions.CanUse(principal)) return ErrorCodes.Forbidden;
            if (path.StartsWith("q.", StringComparison.Ordinal) && path.Length is > 2 and <= 2 + QnaInput.MaxIdLength) return null;
            return path == "u." + principal.SubjectId ? null : ErrorCodes.Forbidden;
        }

        public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;

        /// <summary>A room's subscribers are its presence: who has the question open (<c>presence:qna:q.{question}</c>).</summary>
        public bool HasPresence(string path) => path.StartsWith("q.", StringComparison.Ordinal);
    }
}

/// <summary>Forgets users' locations not updated for <c>Qna:LocationRetentionHours</c> (checked every 10 minutes).</summary>
internal sealed class LocationRetention(QnaStore store, INearbyUsers nearby, TimeProvider time, IOptions<QnaOptions> options) : ISweeper
{
    public string Name => "qna-locations";

    public TimeSpan Period => TimeSpan.FromMinutes(10);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var forgotten = await store.ForgetLocationsAsync(null, time.GetUtcNow().AddHours(-options.Value.LocationRetentionHours).ToUnixTimeMilliseconds(),
            cancellationToken).ConfigureAwait(false);
        if (forgotten > 0) nearby.Forgotten(null);
        return forgotten;
    }
}

/// <summary><c>modules.qna</c> in <c>GET /api/admin/stats</c>.</summary>
internal sealed class QnaStatistics(QnaStore store, QnaMetrics metrics, WebPushSender webPush) : IModuleStats
{
    private static double Round(double ms) => Math.Round(ms, 3);

    public string Name => QnaModule.Name;

    public async ValueTask<JsonElement> SnapshotAsync(CancellationToken cancellationToken)
    {
        var (sent, failed, dropped) = webPush.Counts;
        return JsonSerializer.SerializeToElement(new QnaStatsView(await store.PendingJobsAsync(cancellationToken).ConfigureAwait(false), metrics.TiersRun,
            metrics.NotifiedTotal, metrics.Asked, metrics.Answers, metrics.Accepted, sent, failed, dropped, Round(metrics.Lookup.Percentile(0.5)),
            Round(metrics.Lookup.Percentile(0.99)), Round(metrics.Tier1Delay.Percentile(0.5)), Round(metrics.Tier1Delay.Percentile(0.99))),
            QnaJson.Default.QnaStatsView);
    }
}
