using Heartline.Core.Channels;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Core;

public sealed class ChannelBudgetTests
{
    private readonly FakeTimeProvider _clock = new();

    private ChannelBudget Budget(int perScope) =>
        new(Options.Create(new ChannelOptions { MaxChannelsPerScope = perScope, HistoryTtlSeconds = 300 }), _clock);

    [Theory]
    [InlineData("office:r1_o1/topic-1", "office:r1_o1")]
    [InlineData("office:r1_o1", "office:r1_o1")]
    [InlineData("sample:a/b/c", "sample:a")]
    public void Scope_IsTheNamespaceAndFirstSegment(string channel, string scope) => Assert.Equal(scope, ChannelBudget.ScopeOf(channel));

    [Fact]
    public void NewChannelsBeyondTheScopeLimit_AreRefused_UsedOnesAndOtherScopesPass()
    {
        var budget = Budget(3);

        Assert.True(budget.TryUse("office:r1_o1/a"));
        Assert.True(budget.TryUse("office:r1_o1/b"));
        Assert.True(budget.TryUse("office:r1_o1/c"));
        Assert.False(budget.TryUse("office:r1_o1/d"));
        Assert.True(budget.TryUse("office:r1_o1/a"));
        Assert.True(budget.TryUse("office:r1_o2/a"));
    }

    [Fact]
    public void ChannelsUnusedForTheHistoryAge_GiveTheirPlaceBack()
    {
        var budget = Budget(2);
        Assert.True(budget.TryUse("office:r1_o1/a"));
        _clock.Advance(TimeSpan.FromSeconds(200));
        Assert.True(budget.TryUse("office:r1_o1/b"));
        Assert.False(budget.TryUse("office:r1_o1/c"));

        _clock.Advance(TimeSpan.FromSeconds(101));

        Assert.True(budget.TryUse("office:r1_o1/c"));
        Assert.False(budget.TryUse("office:r1_o1/d"));
        _clock.Advance(TimeSpan.FromSeconds(301));
        Assert.Equal(2, budget.Sweep());
    }
}
