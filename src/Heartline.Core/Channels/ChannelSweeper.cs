using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Trims channel history by age and evicts idle channels.</summary>
internal sealed class ChannelSweeper(ChannelHub hub, IOptions<ChannelOptions> options, TimeProvider time,
    HeartlineMetrics metrics, ILogger<ChannelSweeper> logger) : PeriodicSweeper(time, metrics, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);

    protected override string SweeperName => "channels";

    protected override Task<int> SweepAsync(CancellationToken cancellationToken) => Task.FromResult(hub.Sweep());
}
