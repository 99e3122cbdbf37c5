using System.Buffers.Binary;
using Heartline.Core.Auth;
using Heartline.Core.Presence;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Ptt;

public sealed class FloorControlTests : IAsyncLifetime
{
    private readonly FloorControlHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private long Now => _h.Time.GetTimestamp();

    internal static byte[] Audio(long epoch, uint sequence, int payload = 40)
    {
        var frame = new byte[FloorControl.AudioHeaderLength + payload];
        frame[0] = FloorControl.OpusAudioKind;
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1), epoch);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), sequence);
        frame[^1] = (byte)sequence;
        return frame;
    }

    [Fact]
    public void Press_FreeFloor_GrantsAndEveryOtherMemberListens()
    {
        var dispatcher = _h.Member("d1", Roles.CallManager);
        var driver1 = _h.Member("u1");
        var driver2 = _h.Member("u2");
        var elsewhere = _h.Member("x1", office: "o2");

        var outcome = _h.Press(dispatcher);

        var grant = Assert.IsType<TestGrant>(outcome.Granted);
        Assert.Equal(["u1", "u2"], grant.Participants.Values.Select(p => p.User.UserId).Order());
        var started = Assert.Single(FloorControlHarness.Events_(driver1));
        Assert.Equal("session_started", started.GetProperty("type").GetString());
        Assert.Equal("d1", started.GetProperty("speaker").GetProperty("user_id").GetString());
        Assert.Equal(grant.Epoch, started.GetProperty("epoch").GetInt64());
        Assert.Single(FloorControlHarness.Events_(driver2));
        Assert.Empty(FloorControlHarness.Events_(elsewhere));
    }

    [Fact]
    public void Press_WhenFloorHeld_ReturnsBusyNamingTheSpeaker()
    {
        var a = _h.Member("u1");
        var b = _h.Member("u2");
        _h.Press(a);

        var outcome = _h.Press(b);

        Assert.Null(outcome.Granted);
        Assert.Equal("u1", outcome.Busy!.Speaker.UserId);
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.PttBusy && e.UserId == "u2");
    }

    [Fact]
    public void Press_ConcurrentFromManyMembers_GrantsExactlyOnePerRound()
    {
        var members = Enumerable.Range(0, 64).Select(i => _h.Member("u" + i)).ToList();
        for (var round = 0; round < 50; round++)
        {
            var outcomes = new PressView[members.Count];
            Parallel.For(0, members.Count, i => outcomes[i] = _h.Press(members[i]));

            var granted = outcomes.Where(o => o.Granted is not null).ToList();
            Assert.Single(granted);
            Assert.Equal(members.Count - 1, outcomes.Count(o => o.Busy is not null));
            var grant = granted[0].Granted!;
            Assert.True(_h.Release(grant.Speaker, grant.Epoch));
        }
    }

    [Fact]
    public void Press_ByCallManagerWhileDriverTalks_PreemptsAndRevokes()
    {
        var driver = _h.Member("u1");
        var dispatcher = _h.Member("d1", Roles.CallManager);
        var listener = _h.Member("u2");
        var first = _h.Press(driver).Granted!;
        FloorControlHarness.Events_(listener);

        var outcome = _h.Press(dispatcher);

        Assert.True(outcome.Preempted);
        Assert.True(outcome.Granted!.Epoch > first.Epoch);
        Assert.Equal(["floor_revoked", "session_ended", "session_started", "speaker_changed"], FloorControlHarness.Types(listener));
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.SessionEnded && e.SessionId == first.SessionId && e.Metadata!.Contains("preempted"));
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.SpeakerChanged);
    }

    [Fact]
    public void Press_ByCallManagerWhenPreemptionIsOffForTheOffice_IsBusy()
    {
        _h.Options_.OfficePreemption["r1_o1"] = false;
        var driver = _h.Member("u1");
        var dispatcher = _h.Member("d1", Roles.CallManager);
        _h.Press(driver);

        Assert.NotNull(_h.Press(dispatcher).Busy);
    }

    [Fact]
    public void Press_ByDriverWhileCallManagerTalks_IsBusy()
    {
        var dispatcher = _h.Member("d1", Roles.CallManager);
        var driver = _h.Member("u1");
        _h.Press(dispatcher);

        Assert.NotNull(_h.Press(driver).Busy);
    }

    [Fact]
    public void Release_WithOldEpoch_IsIgnored()
    {
        var a = _h.Member("u1");
        var first = _h.Press(a).Granted!;
        Assert.True(_h.Release(a, first.Epoch));
        var second = _h.Press(a).Granted!;

        Assert.False(_h.Release(a, first.Epoch));
        Assert.Equal(second.Epoch, _h.Current("r1_o1")!.Epoch);
    }

    [Fact]
    public void Lease_WithoutAudioOrKeepalive_LapsesAfterFiveSeconds()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        _h.Press(speaker);
        FloorControlHarness.Events_(listener);

        _h.Time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.NotNull(_h.Current("r1_o1"));
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(_h.Current("r1_o1"));
        var events = FloorControlHarness.Events_(listener);
        Assert.Equal("lease_expired", events.Last().GetProperty("reason").GetString());
        Assert.Equal("floor_revoked", events[0].GetProperty("type").GetString());
    }

    [Fact]
    public void Lease_KeptByAudioAndKeepalive_UntilMaximumTalkTime()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;
        FloorControlHarness.Events_(listener);

        for (var second = 1; second < 60; second++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 2 == 0) Assert.Equal(AudioOutcome.Relayed, _h.Floors.OnAudio(speaker, Audio(grant.Epoch, (uint)second)));
            else Assert.True(_h.Floors.Keepalive(speaker, grant.Epoch));
            Assert.NotNull(_h.Current("r1_o1"));
        }
        _h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(_h.Current("r1_o1"));
        Assert.Equal("max_duration", FloorControlHarness.Events_(listener).Last().GetProperty("reason").GetString());
    }

    [Fact]
    public void Audio_FromSpeaker_IsRelayedInOrderToListenersOnly()
    {
        var speaker = _h.Member("u1");
        var a = _h.Member("u2");
        var b = _h.Member("u3");
        var grant = _h.Press(speaker).Granted!;

        for (uint i = 1; i <= 20; i++) _h.Floors.OnAudio(speaker, Audio(grant.Epoch, i));

        foreach (var listener in new[] { a, b })
        {
            var sequences = new List<uint>();
            while (listener.TryTakeQueued(out var frame))
                if (frame.Binary) sequences.Add(BinaryPrimitives.ReadUInt32BigEndian(frame.Data.Span[9..13]));
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (uint)i), sequences);
        }
        Assert.DoesNotContain(Drained(speaker), f => f.Binary);
    }

    [Fact]
    public void Audio_FromAListener_IsRefused_AndFromAnOldEpoch_IsDropped()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;

        Assert.Equal(AudioOutcome.Refused, _h.Floors.OnAudio(listener, Audio(grant.Epoch, 1)));
        Assert.Equal(AudioOutcome.Dropped, _h.Floors.OnAudio(speaker, Audio(grant.Epoch - 1, 1)));
        Assert.Equal(AudioOutcome.Malformed, _h.Floors.OnAudio(speaker, new byte[] { 0x02, 1, 2 }));
    }

    [Fact]
    public void Audio_InFlightAtRelease_IsDeliveredForTheReleaseHangOnly()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;
        _h.Release(speaker, grant.Epoch);
        listener.Drain();

        _h.Time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(AudioOutcome.Relayed, _h.Floors.OnAudio(speaker, Audio(grant.Epoch, 7)));
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(AudioOutcome.Dropped, _h.Floors.OnAudio(speaker, Audio(grant.Epoch, 8)));

        Assert.True(listener.TryTakeQueued(out var frame) && frame.Binary);
        Assert.False(listener.TryTakeQueued(out _));
    }

    [Fact]
    public void MemberConnected_DuringSession_JoinsAtOnceAndGetsState()
    {
        var speaker = _h.Member("u1");
        var grant = _h.Press(speaker).Granted!;
        var late = _h.Member("u9", announce: false);

        var state = _h.MemberConnected(late);

        Assert.NotNull(state);
        Assert.Equal(grant.SessionId, state!.SessionId);
        Assert.Contains(state.Participants, p => p.UserId == "u9");
        Assert.Contains(late, _h.Current("r1_o1")!.Listeners);
    }

    [Fact]
    public void ConnectionEnded_OfAListener_LeavesTheParticipants()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        _h.Press(speaker);

        _h.Floors.ConnectionEnded(listener);

        Assert.Empty(_h.Current("r1_o1")!.Participants);
        Assert.Empty(_h.Current("r1_o1")!.Listeners);
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.UserLeft && e.UserId == "u2");
    }

    [Fact]
    public async Task SpeakerDisconnectAction_ReleasesTheFloorWithDisconnected()
    {
        var speaker = _h.Member("u1");
        var listener = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;
        await grant.DisconnectAction.WaitAsync(TimeSpan.FromSeconds(10));
        FloorControlHarness.Events_(listener);

        var record = new ConnectionRecord(speaker.Id, "n1", "u1", "u1", Roles.PickupDriver, "user", null, null, "pickup_driver", null, 0);
        var ran = await _h.Actions.RunAsync(record, DisconnectReasons.ConnectionLost, loadFromStore: true).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, ran);
        Assert.Null(_h.Current("r1_o1"));
        Assert.Equal("disconnected", FloorControlHarness.Events_(listener).Last().GetProperty("reason").GetString());
        await _h.Store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("disconnected", (await _h.Store.SessionEndAsync(grant.SessionId)).EndReason);
    }

    [Fact]
    public async Task Release_Normally_CancelsTheDisconnectAction()
    {
        var speaker = _h.Member("u1");
        var grant = _h.Press(speaker).Granted!;
        await grant.DisconnectAction.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_h.ConnectionStore.Actions);

        _h.Release(speaker, grant.Epoch);

        await Eventually.TrueAsync(() => _h.ConnectionStore.Actions.IsEmpty, "the release action is cancelled");
    }

    [Fact]
    public void StaleCleaner_RemovesSilentListeners_AndEndsSessionsOfSilentSpeakers()
    {
        _h.Options_.MaxTalkMs = 600_000;
        var speaker = _h.Member("u1");
        var quiet = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;

        // The speaker's lease is kept alive but its connection is silent on the wire: only the cleaner sees that.
        for (var i = 0; i < 23; i++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(4));
            Assert.True(_h.Floors.Keepalive(speaker, grant.Epoch));
        }
        var removed = _h.SweepStale();

        Assert.Equal(1, removed);
        Assert.Null(_h.Current("r1_o1"));
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.SessionEnded && e.Metadata!.Contains("stale_cleaned"));
    }

    [Fact]
    public void StaleCleaner_RemovesASilentListenerWithHeartbeatLost()
    {
        _h.Options_.MaxTalkMs = 600_000;
        var speaker = _h.Member("u1");
        var quiet = _h.Member("u2");
        var grant = _h.Press(speaker).Granted!;
        for (var i = 0; i < 23; i++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(4));
            // The speaker's frames keep both its lease and its last_seen; the listener says nothing.
            _h.Floors.OnAudio(speaker, Audio(grant.Epoch, (uint)i));
            TouchConnection(speaker);
        }

        Assert.Equal(1, _h.SweepStale());

        Assert.Empty(_h.Current("r1_o1")!.Participants);
        Assert.Contains(_h.Events.Events, e => e.Type == PttEventTypes.HeartbeatLost && e.UserId == "u2");
    }

    private static List<Heartline.Core.Connections.OutboundFrame> Drained(Heartline.Core.Connections.ClientConnection c)
    {
        var frames = new List<Heartline.Core.Connections.OutboundFrame>();
        while (c.TryTakeQueued(out var f)) frames.Add(f);
        return frames;
    }

    private static void TouchConnection(Heartline.Core.Connections.ClientConnection connection) => connection.MarkSeen();
}
