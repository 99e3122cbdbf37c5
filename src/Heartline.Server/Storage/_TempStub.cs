using Microsoft.Extensions.Diagnostics.HealthChecks;
namespace Heartline.Server.Storage;
internal static class TempStub { public static IServiceCollection AddHeartlineStorage(this IServiceCollection s) => s; }
internal sealed class StorageHealthCheck : IHealthCheck { public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext c, CancellationToken t = default) => Task.FromResult(HealthCheckResult.Healthy()); }
