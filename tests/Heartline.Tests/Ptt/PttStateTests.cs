using Heartline.Tests.Cluster;
using Heartline.Tests.Storage;

namespace Heartline.Tests.Ptt;

/// <summary>
/// <c>ptt.state</c> carries what a client needs to join a session it learns from the state (the media provider) and to
/// tell a state older than the publications it has seen (the floor epoch, also when idle).
/// </summary>
public abstract class PttStateTests : PttServerTest
{
    [Fact]
    public async Task State_WhileActive_CarriesTheMediaOfTheSession_InTheReplyAndTheJoinPush()
    {
        var speaker = await MemberAsync("drv1");
        await speaker.PressAsync().WaitAsync(Timeout);

        var reply = (await speaker.RequestAsync("ptt.state").WaitAsync(Timeout)).Result;
        var late = await MemberAsync("drv9");
        var push = await late.NextPushAsync("ptt.state", Timeout);

        foreach (var state in new[] { reply, push })
        {
            Assert.True(state.GetProperty("active").GetBoolean());
            var media = state.GetProperty("media");
            Assert.Equal("relay", media.GetProperty("provider").GetString());
            Assert.Equal(2, media.GetProperty("token_delay_ms").GetArrayLength());
        }
    }

    [Fact]
    public async Task State_WhenIdle_CarriesTheLastEpochIssued_AndNoneBeforeTheFirstGrant()
    {
        var speaker = await MemberAsync("drv1");
        var before = (await speaker.RequestAsync("ptt.state").WaitAsync(Timeout)).Result;
        var epoch = (await speaker.PressAsync().WaitAsync(Timeout)).GetProperty("epoch").GetInt64();
        (await speaker.RequestAsync("ptt.release", new { epoch }).WaitAsync(Timeout)).AssertOk();

        var after = (await speaker.RequestAsync("ptt.state").WaitAsync(Timeout)).Result;

        Assert.False(before.TryGetProperty("epoch", out _));
        Assert.False(after.GetProperty("active").GetBoolean());
        Assert.Equal(epoch, after.GetProperty("epoch").GetInt64());
        Assert.False(after.TryGetProperty("media", out _));
    }
}

public sealed class SqlitePttStateTests : PttStateTests;

[Collection(PostgresCollection.Name)]
public sealed class ClusterPttStateTests(PostgresFixture postgres) : PttStateTests
{
    private string _schema = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        return ClusterNodes.Settings(_schema, "state-a", new Dictionary<string, string?> { ["Cluster:NodeTimeoutSeconds"] = "60" });
    }

    protected override Task CleanUpAsync() => _schema.Length == 0 ? Task.CompletedTask : postgres.DropSchemaAsync(_schema);
}
