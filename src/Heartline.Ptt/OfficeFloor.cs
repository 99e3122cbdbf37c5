using Heartline.Core.Connections;

namespace Heartline.Ptt;

/// <summary>A listener of one session.</summary>
internal sealed class Participant(ClientConnection connection, PttUser user, long joinedAtMs)
{
    public ClientConnection Connection { get; } = connection;
    public PttUser User { get; } = user;
    public long JoinedAtMs { get; } = joinedAtMs;

    public ParticipantInfo Info() =>
        new(User.UserId, Connection.User?.Name ?? User.Name, User.AppType, Connection.Device, JoinedAtMs, Connection.LastSeenMs);
}

/// <summary>
/// What every granted floor has, on one node or in a cluster: who speaks since when, the speaker's last activity
/// (audio frames update it without a lock) and the speaker's release action.
/// </summary>
internal abstract class SpeakerGrant(string sessionId, long epoch, string office, ClientConnection speaker, PttUser speakerUser,
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

    /// <summary>The id of the speaker's registered disconnect action, once registered.</summary>
    public Task<string?> DisconnectAction { get; set; } = Task.FromResult<string?>(null);

    public long LastActivityTimestamp => Volatile.Read(ref _lastActivity);

    public void Touch(long timestamp) => Volatile.Write(ref _lastActivity, timestamp);
}

/// <summary>A single-node grant, with its listeners (copy-on-write under the office lock).</summary>
internal sealed class Grant(string sessionId, long epoch, string office, ClientConnection speaker, PttUser speakerUser,
    long startedAtMs, long startedTimestamp)
    : SpeakerGrant(sessionId, epoch, office, speaker, speakerUser, startedAtMs, startedTimestamp)
{
    /// <summary>Connections audio is forwarded to: every participant (the speaker is not one).</summary>
    public ClientConnection[] Listeners { get; set; } = [];

    public Dictionary<string, Participant> Participants { get; } = new(StringComparer.Ordinal);

    public void RebuildListeners() => Listeners = [.. Participants.Values.Select(p => p.Connection)];
}

/// <summary>A grant that just ended: its audio is still delivered for the release hang, then silently dropped.</summary>
internal sealed record EndedGrant(Grant Grant, string Reason, long EndedTimestamp);

/// <summary>The floor of one office. All changes happen under <see cref="Lock"/>; audio reads <see cref="Current"/> lock-free.</summary>
internal sealed class OfficeFloor(string office)
{
    public string Office { get; } = office;

    public Lock Lock { get; } = new();

    /// <summary>The last epoch issued in this office; grants take the next one.</summary>
    public long Epoch { get; set; }

    private Grant? _current;

    public Grant? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    private EndedGrant? _lastEnded;

    public EndedGrant? LastEnded
    {
        get => Volatile.Read(ref _lastEnded);
        set => Volatile.Write(ref _lastEnded, value);
    }

    /// <summary>Fires at the grant's next deadline (lease or maximum talk time).</summary>
    public ITimer? Timer { get; set; }
}
