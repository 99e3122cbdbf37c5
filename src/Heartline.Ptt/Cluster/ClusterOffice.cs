using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Ptt;

namespace Heartline.Ptt.Cluster;

/// <summary>A grant whose speaker is connected to this node: this node enforces its lease and relays its audio.</summary>
internal sealed class HeldFloor(string sessionId, long epoch, string office, ClientConnection speaker, PttUser speakerUser,
    long startedAtMs, long startedTimestamp)
    : SpeakerGrant(sessionId, epoch, office, speaker, speakerUser, startedAtMs, startedTimestamp)
{
    /// <summary>The activity the lease in PostgreSQL was last extended for (only the lease renewer touches it).</summary>
    public long RenewedActivity { get; set; } = startedTimestamp;

    /// <summary>Set while an end of this grant is in flight, so the timer does not start a second one.</summary>
    public int Ending;
}

/// <summary>A held grant that just ended here: its audio is still relayed for the release hang.</summary>
internal sealed record EndedFloor(HeldFloor Floor, string Reason, long EndedTimestamp);

/// <summary>
/// What this node knows of an office's floor from PostgreSQL's notifications: the newest epoch, whether its session is
/// active, and when and why it ended. Immutable, so the audio path reads it without a lock.
/// </summary>
internal sealed record FloorView(long Epoch, string? SessionId, bool Active, string? EndedReason, long EndedTimestamp)
{
    public static readonly FloorView None = new(0, null, false, null, 0);
}

/// <summary>One office as this node sees it: its members here, the grant held here (if any), and the floor view.</summary>
internal sealed class ClusterOffice(string office)
{
    private HeldFloor? _held;
    private EndedFloor? _lastHeld;
    private FloorView _view = FloorView.None;

    public string Office { get; } = office;

    public Lock Lock { get; } = new();

    /// <summary>This node's member connections of the office (listeners); copy-on-write under <see cref="Lock"/>.</summary>
    public ClientConnection[] Members { get; set; } = [];

    public HeldFloor? Held { get => Volatile.Read(ref _held); set => Volatile.Write(ref _held, value); }

    public EndedFloor? LastHeld { get => Volatile.Read(ref _lastHeld); set => Volatile.Write(ref _lastHeld, value); }

    public FloorView View { get => Volatile.Read(ref _view); set => Volatile.Write(ref _view, value); }

    /// <summary>Completes once the floor row exists and the view was first read.</summary>
    public Task? Loaded { get; set; }

    /// <summary>Fires at the held grant's next deadline (lease or maximum talk time).</summary>
    public ITimer? Timer { get; set; }

    /// <summary>Members already reported silent in the current session (HEARTBEAT_LOST once each).</summary>
    public HashSet<string> ReportedSilent { get; } = new(StringComparer.Ordinal);
}
