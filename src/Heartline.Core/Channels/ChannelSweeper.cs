using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Trims this node's recent history, stops following idle channels, forgets aged channel budgets, and trims the broker's history.</summary>
internal sealed class ChannelSweeper(ChannelHub hub, IBroker broker, ChannelBudget budget, IOptions<ChannelOptions> options) : ISweeper
{
    public string Name => "channels";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);

    public async Task<int> SweepAsync(CancellationToken cancellationToken) =>
        hub.Sweep() + budget.Sweep() + await broker.TrimAsync(cancellationToken).ConfigureAwait(false);
}
