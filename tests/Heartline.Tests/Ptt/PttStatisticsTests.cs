using Heartline.Core.Auth;
using Heartline.Ptt;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Ptt;

public sealed class PttStatisticsTests : IAsyncLifetime
{
    private readonly FloorControlHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private long Now => _h.Time.GetTimestamp();

    /// <summary>Presses <paramref name="sessions"/> times, each session with one busy press, ended by <paramref name="end"/>.</summary>
    private void Sessions(int sessions, Func<int, string> end)
    {
        var speaker = _h.Member("u1");
        var other = _h.Member("u2");
        for (var i = 0; i < sessions; i++)
        {
            var grant = _h.Press(speaker).Granted!;
            Assert.NotNull(_h.Press(other).Busy);
            _h.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(_h.EndIfCurrent("r1_o1", grant.Epoch, end(i)));
        }
    }

    private async Task<PttDailyStats> DailyAsync()
    {
        await _h.Store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var statistics = new PttStatistics(_h.Store, _h.Events, Options.Create(_h.Options_), _h.Time);
        return await statistics.DailyAsync("r1_o1", null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ErrorRate_IsFailedSessionsOutOfAllPressAttempts_BusyPressesIncluded()
    {
        // 100 attempts: 50 sessions and 50 busy presses; one session dropped.
        Sessions(50, i => i == 0 ? PttEndReasons.Disconnected : PttEndReasons.Released);

        var stats = await DailyAsync();

        Assert.Equal(100, stats.PressAttempts);
        Assert.Equal(50, stats.BusyPresses);
        Assert.Equal(50, stats.Sessions);
        Assert.Equal(0.01, stats.ErrorRate);
        Assert.Equal(0.5, stats.BusyRate);
    }

    [Fact]
    public async Task ErrorRate_CountsMaximumTalkTimeAndPreemption_AsIntended_AndEveryOtherAbnormalEndAsAFailure()
    {
        string[] ends =
        [
            PttEndReasons.MaxDuration, PttEndReasons.Preempted, PttEndReasons.Released,
            PttEndReasons.LeaseExpired, PttEndReasons.StaleCleaned, PttEndReasons.ServerRestart, PttEndReasons.NodeLost,
            PttEndReasons.Disconnected,
        ];
        Sessions(ends.Length, i => ends[i]);

        var stats = await DailyAsync();

        Assert.Equal(16, stats.PressAttempts);
        Assert.Equal(Math.Round(5 / 16.0, 4), stats.ErrorRate);
    }

    [Fact]
    public async Task ErrorRate_WithNoAttempts_IsZero()
    {
        _h.Member("u1", Roles.CallManager);

        var stats = await DailyAsync();

        Assert.Equal(0, stats.PressAttempts);
        Assert.Equal(0, stats.ErrorRate);
    }
}
