using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Ptt;

/// <summary>
/// A user's press from a new connection while the user's own old connection still holds the floor. The lease is the
/// default 5 s, so the old connection must have been silent for 3.75 s.
/// </summary>
public sealed class FloorControlTakeoverTests : IAsyncLifetime
{
    private readonly FloorControlHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private long Now => _h.Time.GetTimestamp();

    [Fact]
    public async Task Press_BySameUserOnANewConnection_AfterThreeQuartersOfALeaseOfSilence_EndsTheOldGrantAsDisconnectedAndGrants()
    {
        var dropped = _h.Member("u1");
        var listener = _h.Member("u2");
        var old = _h.Press(dropped).Granted!;
        _h.Time.Advance(TimeSpan.FromMilliseconds(3750));
        var reconnected = _h.Member("u1");
        FloorControlHarness.Events_(listener);

        var outcome = _h.Press(reconnected);

        var grant = Assert.IsType<TestGrant>(outcome.Granted);
        Assert.Same(reconnected, grant.Speaker);
        Assert.True(grant.Epoch > old.Epoch);
        Assert.False(outcome.Preempted);
        var events = FloorControlHarness.Events_(listener);
        Assert.Equal(["floor_revoked", "session_ended", "session_started"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("disconnected", events[1].GetProperty("reason").GetString());
        Assert.Equal(old.SessionId, events[1].GetProperty("session_id").GetString());
        Assert.DoesNotContain(_h.Events.Events, e => e.Type == PttEventTypes.PttBusy);
        await _h.Store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("disconnected", (await _h.Store.SessionEndAsync(old.SessionId)).EndReason);
    }

    [Fact]
    public void Press_BySameUserOnAnotherConnection_WhileTheHolderSentAudioWithinThreeQuartersOfALease_IsBusy()
    {
        var console = _h.Member("d1", Roles.CallManager);
        var phone = _h.Member("d1", Roles.CallManager);
        var grant = _h.Press(console).Granted!;
        _h.Time.Advance(TimeSpan.FromMilliseconds(2000));
        Assert.Equal(AudioOutcome.Relayed, _h.Floors.OnAudio(console, FloorControlTests.Audio(grant.Epoch, 1)));
        _h.Time.Advance(TimeSpan.FromMilliseconds(3749));

        var outcome = _h.Press(phone);

        Assert.Null(outcome.Granted);
        Assert.Equal(grant.SessionId, outcome.Busy!.SessionId);
        Assert.Equal(grant.Epoch, _h.Current("r1_o1")!.Epoch);
    }

    [Fact]
    public void Press_BySameUser_WhenTheHoldingConnectionIsClosing_TakesOverAtOnce()
    {
        var closing = _h.Member("u1");
        var reconnected = _h.Member("u1");
        var old = _h.Press(closing).Granted!;
        closing.Close(CloseCodes.KeepAliveTimeout, "test");

        var outcome = _h.Press(reconnected);

        Assert.Same(reconnected, outcome.Granted!.Speaker);
        Assert.True(outcome.Granted.Epoch > old.Epoch);
    }

    [Fact]
    public void Press_ByAnotherUser_AfterThreeQuartersOfALeaseOfSilence_IsStillBusy()
    {
        var holder = _h.Member("u1");
        var other = _h.Member("u2");
        var grant = _h.Press(holder).Granted!;
        _h.Time.Advance(TimeSpan.FromMilliseconds(4900));

        Assert.Equal(grant.SessionId, _h.Press(other).Busy!.SessionId);
    }

    [Fact]
    public async Task AbandonedConnection_AfterTheTakeover_CanNeitherSendAudioNorEndTheNewGrant()
    {
        var dropped = _h.Member("u1");
        var old = _h.Press(dropped).Granted!;
        await old.DisconnectAction.WaitAsync(TimeSpan.FromSeconds(10));
        _h.Time.Advance(TimeSpan.FromMilliseconds(3750));
        var reconnected = _h.Member("u1");
        var grant = _h.Press(reconnected).Granted!;

        Assert.Equal(AudioOutcome.Dropped, _h.Floors.OnAudio(dropped, FloorControlTests.Audio(old.Epoch, 7)));
        Assert.False(_h.Release(dropped, old.Epoch));
        var record = new ConnectionRecord(dropped.Id, "n1", "u1", "u1", Roles.PickupDriver, "user", null, null, "pickup_driver", null, 0);
        await _h.Actions.RunAsync(record, DisconnectReasons.ConnectionLost, loadFromStore: true).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(grant.Epoch, _h.Current("r1_o1")!.Epoch);
    }

    [Fact]
    public void Grant_DoesNotMakeTheSpeakersOtherConnectionsListeners()
    {
        var console = _h.Member("d1", Roles.CallManager);
        var phone = _h.Member("d1", Roles.CallManager);
        var driver = _h.Member("u1");

        var grant = _h.Press(console).Granted!;

        Assert.Equal(["u1"], grant.Participants.Values.Select(p => p.User.UserId));
        Assert.DoesNotContain(phone, grant.Listeners);
        Assert.Contains(driver, grant.Listeners);
    }

    [Fact]
    public void MemberConnected_OfTheSpeakersOwnUser_GetsTheStateButDoesNotJoinItsSession()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;
        FloorControlHarness.Events_(listener);
        var reconnected = _h.Member("u1", announce: false);

        var state = _h.MemberConnected(reconnected);

        // The speaker's second device learns that its own user is talking (docs/protocol.md 10.1) ...
        Assert.Equal(grant.SessionId, state!.SessionId);
        Assert.Equal("u1", state.Speaker!.UserId);
        // ... but does not listen to itself.
        Assert.DoesNotContain(reconnected.Id, _h.Current("r1_o1")!.Participants.Keys);
        Assert.DoesNotContain(state.Participants, p => p.UserId == "u1");
        Assert.Empty(FloorControlHarness.Events_(listener));
    }
}
