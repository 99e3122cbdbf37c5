using Microsoft.Extensions.Time.Testing;
using Heartline.Core.Channels;
using Heartline.Core.Operations;
using Heartline.Core.Presence;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Core;

public sealed class PresenceTrackerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryEventLog _events = new();
    private readonly ChannelHub _hub;
    private readonly PresenceTracker _presence;
    private readonly Heartline.Core.Connections.ClientConnection _watcher;

    public PresenceTrackerTests()
    {
        _hub = TestChannels.Hub(_time);
        _presence = new PresenceTracker(new LocalPresenceBackend(_hub, _events), new HeartlineMetrics(new TestMeterFactory()),
            Options.Create(new PresenceOptions { LeaveGraceSeconds = 10 }), _time, NullLogger<PresenceTracker>.Instance);
        _watcher = TestConnections.Create(_time, TestConnections.User("watcher"));
        _hub.Subscribe(_watcher, "presence:r1_o1", null, (_, _) => [(byte)'{', (byte)'}']);
        _watcher.Drain();
    }

    private List<string> Announcements() =>
        [.. _watcher.Drain().Where(f => f.TryGetProperty("push", out _))
            .Select(f => f.GetProperty("data").GetProperty("event").GetString() + ":" + f.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString())];

    [Fact]
    public void Add_FirstConnection_AnnouncesOnlineOnce()
    {
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u1")));
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u1")));

        Assert.Equal(["online:u1"], Announcements());
        var user = Assert.Single(_presence.List("r1_o1"));
        Assert.Equal(2, user.Connections.Count);
    }

    [Fact]
    public void ChannelPresence_LeavingOnPurposeIsAtOnce_DroppingWaitsForTheGrace_AndASecondDeviceKeepsTheUserIn()
    {
        const string room = "qna:q.1";
        var roomWatcher = TestConnections.Create(_time, TestConnections.User("watcher"));
        _hub.Subscribe(roomWatcher, "presence:" + room, null, (_, _) => [(byte)'{', (byte)'}']);
        roomWatcher.Drain();
        List<string> RoomAnnouncements() =>
            [.. roomWatcher.Drain().Where(f => f.TryGetProperty("push", out _))
                .Select(f => f.GetProperty("data").GetProperty("event").GetString() + ":" + f.GetProperty("data").GetProperty("user").GetProperty("user_id").GetString())];
        var phone = TestConnections.Create(_time, TestConnections.User("u1"));
        var tablet = TestConnections.Create(_time, TestConnections.User("u1"));
        _presence.Add(phone);
        _presence.Add(tablet);
        Announcements();

        _presence.Join(phone, room);
        _presence.Join(phone, room);
        _presence.Join(tablet, room);
        Assert.Equal(["online:u1"], RoomAnnouncements());
        Assert.Equal(2, Assert.Single(_presence.List(room)).Connections.Count);
        Assert.Empty(Announcements()); // the office scope heard nothing of the room

        // One device leaves: still in the room. The other leaves on purpose: out at once, no grace.
        _presence.Leave(tablet, room);
        Assert.Empty(RoomAnnouncements());
        _presence.Leave(phone, room);
        Assert.Equal(["offline:u1"], RoomAnnouncements());
        Assert.False(_presence.IsOnline(room, "u1"));
        Assert.True(_presence.IsOnline("r1_o1", "u1"));

        // Back in, then the phone drops: the room keeps the user for the grace, as a scope does.
        _presence.Join(phone, room);
        Assert.Equal(["online:u1"], RoomAnnouncements());
        _presence.Remove(phone);
        _time.Advance(TimeSpan.FromSeconds(9));
        _presence.Sweep();
        Assert.Empty(RoomAnnouncements());
        _time.Advance(TimeSpan.FromSeconds(1));
        _presence.Sweep();
        Assert.Equal(["offline:u1"], RoomAnnouncements());
        Assert.Contains(_events.Events, e => e.Type == "USER_OFFLINE" && e.Scope == "presence:" + room);
    }

    [Fact]
    public void Remove_OneOfTwoTabs_AnnouncesNothing()
    {
        var tab1 = TestConnections.Create(_time, TestConnections.User("u1"));
        _presence.Add(tab1);
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u1")));
        Announcements();

        _presence.Remove(tab1);
        _time.Advance(TimeSpan.FromMinutes(1));
        _presence.Sweep();

        Assert.Empty(Announcements());
        Assert.True(_presence.IsOnline("r1_o1", "u1"));
    }

    [Fact]
    public void Remove_LastConnection_AnnouncesOfflineOnlyAfterGrace()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        _presence.Add(c);
        Announcements();

        _presence.Remove(c);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, _presence.Sweep());
        Assert.Empty(Announcements());

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _presence.Sweep());
        Assert.Equal(["offline:u1"], Announcements());
        Assert.False(_presence.IsOnline("r1_o1", "u1"));
        Assert.Contains(_events.Events, e => e.Type == "USER_OFFLINE" && e.UserId == "u1");
    }

    [Fact]
    public void Reconnect_WithinGrace_ProducesNoOfflineOnlinePair()
    {
        var c = TestConnections.Create(_time, TestConnections.User("u1"));
        _presence.Add(c);
        Announcements();

        _presence.Remove(c);
        _time.Advance(TimeSpan.FromSeconds(5));
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u1")));
        _time.Advance(TimeSpan.FromSeconds(30));
        _presence.Sweep();

        Assert.Empty(Announcements());
        Assert.True(_presence.IsOnline("r1_o1", "u1"));
    }

    [Fact]
    public void List_OtherOffice_IsSeparate()
    {
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u1")));
        _presence.Add(TestConnections.Create(_time, TestConnections.User("u2", office: "o2")));

        Assert.Equal("u1", Assert.Single(_presence.List("r1_o1")).UserId);
        Assert.Equal("u2", Assert.Single(_presence.List("r1_o2")).UserId);
        Assert.Equal(["online:u1"], Announcements());
    }
}
