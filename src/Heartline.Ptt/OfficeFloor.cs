using Heartline.Core.Connections;

namespace Heartline.Ptt;

/// <summary>A listener of the current session on this node.</summary>
internal sealed class Participant(ClientConnection connection, PttUser user, long joinedAtMs, long framesAtJoin = 0)
{
    private int _dropped;

    public ClientConnection Connection { get; } = connection;
    public PttUser User { get; } = user;
    public long JoinedAtMs { get; } = joinedAtMs;

    /// <summary>The office's relayed-frame count on this node when it joined (<see cref="OfficeFloor.FramesRelayed"/>).</summary>
    public long FramesAtJoin { get; } = framesAtJoin;

    /// <summary>Frames relayed while it listened that its send queue dropped (late audio is dropped, never delayed).</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public void Drop() => Interlocked.Increment(ref _dropped);

    /// <summary>Frames it was sent: those this node relayed for the office since it joined, but the dropped ones.</summary>
    public long FramesHeard(long framesRelayed) => Math.Max(0, framesRelayed - FramesAtJoin - Dropped);

    public ParticipantInfo Info() => new(User.UserId, User.Name, User.AppType, Connection.Device, JoinedAtMs, Connection.LastSeenMs);
}

/// <summary>
/// A grant whose speaker is connected to this node: this node enforces its lease and maximum talk time with a timer,
/// extends the lease in the store, and relays the speaker's audio (frames update the activity without a lock).
/// </summary>
internal sealed class HeldGrant(string sessionId, long epoch, string office, ClientConnection speaker, PttUser speakerUser,
    long startedAtMs, long startedTimestamp)
{
    private long _lastActivity = startedTimestamp;

    public string SessionId { get; } = sessionId;
    public long Epoch { get; } = epoch;
    public string Office { get; } = office;
    public ClientConnection Speaker { get; } = speaker;
    public PttUser SpeakerUser { get; } = speakerUser;
    public long StartedAtMs { get; } = startedAtMs;
    public long StartedTimestamp { get; } = startedTimestamp;

    private long _frames;

    /// <summary>Audio frames of this grant relayed (the speaker's, counted once on its node).</summary>
    public long Frames => Volatile.Read(ref _frames);

    public void Relayed() => Interlocked.Increment(ref _frames);

    private readonly List<byte[]> _recording = [];
    private bool _sealed;

    /// <summary>Keeps an Opus packet of the transmission for its recording (bounded; none after it was sealed).</summary>
    public void Record(ReadOnlySpan<byte> opus, int maxPackets)
    {
        lock (_recording)
        {
            if (!_sealed && _recording.Count < maxPackets) _recording.Add(opus.ToArray());
        }
    }

    /// <summary>The recorded packets, once: later frames are not kept.</summary>
    public List<byte[]> SealRecording()
    {
        lock (_recording)
        {
            _sealed = true;
            return [.. _recording];
        }
    }

    /// <summary>The id of the speaker's registered disconnect action, once registered.</summary>
    public Task<string?> DisconnectAction { get; set; } = Task.FromResult<string?>(null);

    public long LastActivityTimestamp => Volatile.Read(ref _lastActivity);

    public void Touch(long timestamp) => Volatile.Write(ref _lastActivity, timestamp);

    /// <summary>The activity the lease in the store was last extended for (only the lease renewer touches it).</summary>
    public long RenewedActivity { get; set; } = startedTimestamp;

    /// <summary>Set while an end of this grant is in flight, so the timer does not start a second one.</summary>
    public int Ending;
}

/// <summary>A grant held here that just ended: its audio is still relayed for the release hang.</summary>
internal sealed record EndedGrant(HeldGrant Grant, string Reason, long EndedTimestamp);

/// <summary>
/// What this node knows of an office's floor: the newest epoch, its session, whether it is active, and when and why it
/// ended (from its own decisions and other nodes' notifications). Immutable, so audio reads it without a lock.
/// </summary>
internal sealed record FloorView(long Epoch, string? SessionId, bool Active, string? EndedReason, long EndedTimestamp, string? PreviousSessionId)
{
    public static readonly FloorView None = new(0, null, false, null, 0, null);
}

/// <summary>
/// One office as this node sees it: its members connected here, the listeners of the current session here, the grant
/// held here (if its speaker is connected here) and the floor view. Changes happen under <see cref="Lock"/>; audio
/// reads the volatile fields lock-free.
/// </summary>
internal sealed class OfficeFloor(string office)
{
    private HeldGrant? _held;
    private EndedGrant? _lastHeld;
    private FloorView _view = FloorView.None;

    public string Office { get; } = office;

    public Lock Lock { get; } = new();

    /// <summary>This node's connections of the office that talk (copy-on-write under <see cref="Lock"/>).</summary>
    public ClientConnection[] Members { get; set; } = [];

    /// <summary>This node's listeners of <see cref="ParticipantsSession"/>, by connection id.</summary>
    public Dictionary<string, Participant> Participants { get; } = new(StringComparer.Ordinal);

    /// <summary>The session <see cref="Participants"/> belong to, and its epoch.</summary>
    public string? ParticipantsSession { get; set; }

    public long ParticipantsEpoch { get; set; }

    /// <summary>Connections audio is forwarded to: this node's participants (copy-on-write under <see cref="Lock"/>).</summary>
    public ClientConnection[] Listeners { get; private set; } = [];

    /// <summary>The listeners of the session that ended last: its audio in flight still reaches them for the release hang.</summary>
    public ClientConnection[] HangListeners { get; set; } = [];

    public HeldGrant? Held { get => Volatile.Read(ref _held); set => Volatile.Write(ref _held, value); }

    public EndedGrant? LastHeld { get => Volatile.Read(ref _lastHeld); set => Volatile.Write(ref _lastHeld, value); }

    public FloorView View { get => Volatile.Read(ref _view); set => Volatile.Write(ref _view, value); }

    /// <summary>Fires at the held grant's next deadline (lease or maximum talk time).</summary>
    public ITimer? Timer { get; set; }

    public void RebuildListeners() => Listeners = [.. Participants.Values.Select(p => p.Connection)];

    private long _framesRelayed;

    /// <summary>Audio frames this node relayed for the office (to its listeners), ever: participants count from it.</summary>
    public long FramesRelayed => Volatile.Read(ref _framesRelayed);

    public void CountRelayed() => Interlocked.Increment(ref _framesRelayed);

    /// <summary>A listener's send queue dropped a frame: charged to its participant, if it still is one (rare: under lock).</summary>
    public void Dropped(ClientConnection listener)
    {
        lock (Lock)
        {
            if (Participants.TryGetValue(listener.Id, out var participant)) participant.Drop();
        }
    }
}
