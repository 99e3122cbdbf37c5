using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Heartline.Core.Storage;

/// <summary>Healthy while the node's database answers a trivial query.</summary>
internal sealed class StorageHealthCheck(IHeartlineDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await database.PingAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy($"The {database.Provider} database answers.")
            : new HealthCheckResult(context.Registration.FailureStatus, $"The {database.Provider} database does not answer.");
}
