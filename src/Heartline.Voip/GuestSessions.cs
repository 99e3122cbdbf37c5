using System.Collections.Concurrent;
using Heartline.Core.Auth;
using Heartline.Core.Connections;

namespace Heartline.Voip;

/// <summary>A VoIP party's connection on this node, with its liveness (the seed's ping/pong).</summary>
internal sealed class GuestSession(ClientConnection connection, string partyId, string tenant, bool isGuest, long now)
{
    private readonly Lock _lock = new();
    private long _pingSeq;
    private long _pingSentAt = now;
    private bool _awaitingPong;
    private int _missed;
    private bool _responsive = true;

    public ClientConnection Connection { get; } = connection;

    public string PartyId { get; } = partyId;

    public string Tenant { get; } = tenant;

    public bool IsGuest { get; } = isGuest;

    /// <summary>Whether a ping was sent and not answered yet.</summary>
    public bool AwaitingPong
    {
        get { lock (_lock) return _awaitingPong; }
    }

    /// <summary>Whether the last ping was answered (a new connection counts as responsive).</summary>
    public bool Responsive
    {
        get { lock (_lock) return _responsive; }
    }

    /// <summary>
    /// One liveness check at <paramref name="now"/>: the verdict, and the ping to send when one is due. A ping still
    /// unanswered when the next one is due counts as missed.
    /// </summary>
    public (LivenessVerdict Verdict, long? PingSeq) Check(long now, long pingIntervalMs, int maxMissedPings, long timeoutMs)
    {
        if (now - Connection.LastSeenMs >= timeoutMs) return (LivenessVerdict.Silent, null);
        lock (_lock)
        {
            if (now - _pingSentAt < pingIntervalMs) return (LivenessVerdict.Alive, null);
            if (_awaitingPong)
            {
                _missed++;
                _responsive = false;
                if (_missed >= maxMissedPings) return (LivenessVerdict.MissedPings, null);
            }
            _awaitingPong = true;
            _pingSentAt = now;
            return (LivenessVerdict.Alive, ++_pingSeq);
        }
    }

    /// <summary>A <c>voip.pong</c>: answers the outstanding ping when the sequence matches.</summary>
    public bool Pong(long seq)
    {
        lock (_lock)
        {
            if (!_awaitingPong || seq != _pingSeq) return false;
            _awaitingPong = false;
            _missed = 0;
            _responsive = true;
            return true;
        }
    }
}

internal enum LivenessVerdict
{
    Alive,
    Silent,
    MissedPings,
}

/// <summary>The VoIP parties' connections of this node, by connection and by party.</summary>
internal sealed class GuestSessions
{
    private readonly ConcurrentDictionary<string, GuestSession> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GuestSession>> _byParty = new(StringComparer.Ordinal);
    private readonly Lock _partyLock = new();

    public int Count => _byConnection.Count;

    public ICollection<GuestSession> All => _byConnection.Values;

    public void Add(GuestSession session)
    {
        _byConnection[session.Connection.Id] = session;
        lock (_partyLock)
        {
            if (!_byParty.TryGetValue(session.PartyId, out var list)) _byParty[session.PartyId] = list = new List<GuestSession>(1);
            list.Add(session);
        }
    }

    public void Remove(ClientConnection connection)
    {
        if (!_byConnection.TryRemove(connection.Id, out var session)) return;
        lock (_partyLock)
        {
            if (_byParty.TryGetValue(session.PartyId, out var list) && list.Remove(session) && list.Count == 0)
                _byParty.Remove(session.PartyId);
        }
    }

    public GuestSession? Of(ClientConnection connection) => _byConnection.TryGetValue(connection.Id, out var s) ? s : null;

    /// <summary>This node's connections of <paramref name="partyId"/>.</summary>
    public GuestSession[] OfParty(string partyId)
    {
        lock (_partyLock) return _byParty.TryGetValue(partyId, out var list) ? [.. list] : [];
    }
}

/// <summary>Who may use VoIP and as which party.</summary>
internal static class VoipParties
{
    public const string GuestRole = "voip_guest";
    public const string UserRole = "voip_user";
    public const string Call = "voip.call";

    public static bool IsParty(Principal principal) => principal.Has(Call);

    public static bool IsGuest(Principal principal) => principal.Kind == PrincipalKind.Guest && principal.IsInRole(GuestRole);

    public static string TenantOf(Principal principal, string defaultTenant) =>
        GuestNames.IsTenant(principal.Tenant) ? principal.Tenant! : defaultTenant;
}
