using System.Collections.Concurrent;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Who is present, per scope (<see cref="IPresenceScopes"/>): a user holds one entry per connection (tabs, devices).
/// Online and offline are announced only on 0↔1 transitions, and offline only after the leave grace, so reconnects
/// don't flap. Each scope has its own lock (no lock spans scopes), and nothing is announced while a lock is held:
/// transitions are queued under the scope's lock and one thread at a time announces a scope's queue, in order.
/// </summary>
internal sealed partial class PresenceTracker(
    IPresenceBackend backend, HeartlineMetrics metrics, IOptions<PresenceOptions> options, TimeProvider time,
    ILogger<PresenceTracker> logger) : IPresence
{
    private readonly ConcurrentDictionary<string, ScopePresence> _scopes = new(StringComparer.Ordinal);
    private readonly TimeSpan _grace = TimeSpan.FromSeconds(options.Value.LeaveGraceSeconds);

    // This node's open connections per user, whatever their scopes (IsConnectedAsync).
    private readonly ConcurrentDictionary<string, int> _connected = new(StringComparer.Ordinal);

    /// <summary>Announces the connection in each of its scopes (a user's first connection there makes it online).</summary>
    public void Add(ClientConnection connection)
    {
        var principal = connection.Principal ?? throw new InvalidOperationException("connection is not authenticated");
        _connected.AddOrUpdate(principal.SubjectId, 1, static (_, n) => n + 1);
        foreach (var name in connection.Scopes)
        {
            var scope = Enter(name, principal, connection);
            Announce(scope);
        }
    }

    private ScopePresence Enter(string name, Principal principal, ClientConnection connection)
    {
        while (true)
        {
            var scope = _scopes.GetOrAdd(name, static n => new ScopePresence(n));
            lock (scope.Lock)
            {
                // Emptied and dropped by a sweep a moment ago: take the new one.
                if (scope.Dropped) continue;
                if (!scope.Users.TryGetValue(principal.SubjectId, out var user))
                {
                    scope.Users[principal.SubjectId] = user = new UserPresence(principal, time.GetUtcNow());
                    user.Connections.Add(connection);
                    scope.Pending.Enqueue(new Transition(principal, Online: true));
                    return scope;
                }
                user.Principal = principal;
                user.Connections.Add(connection);
                // Back within the grace: the pending offline is forgotten and nobody hears of the gap.
                user.OfflineAt = null;
                return scope;
            }
        }
    }

    /// <summary>
    /// The connection entered <paramref name="scope"/> after it connected (it subscribed to a channel with presence):
    /// announced as at a connect. Called by the connection's receive loop only.
    /// </summary>
    public void Join(ClientConnection connection, string scope)
    {
        var principal = connection.Principal ?? throw new InvalidOperationException("connection is not authenticated");
        if (!connection.PresenceChannels.Add(scope)) return;
        Announce(Enter(scope, principal, connection));
    }

    /// <summary>
    /// The connection left <paramref name="scope"/> on purpose (unsubscribed): its user goes offline there at once when
    /// it was their last connection in it, with no leave grace, since nothing is coming back. Receive loop only.
    /// </summary>
    public void Leave(ClientConnection connection, string scope)
    {
        if (connection.Principal is not { } principal || !connection.PresenceChannels.Remove(scope)) return;
        var now = time.GetUtcNow();
        if (Leave(principal, connection, scope, now) && _scopes.TryGetValue(scope, out var state)) Sweep(state, now);
    }

    /// <summary>The connection ended: its user goes offline in a scope once the grace passes with no other connection there.</summary>
    public void Remove(ClientConnection connection)
    {
        if (connection.Principal is not { } principal) return;
        Disconnected(principal.SubjectId);
        var due = time.GetUtcNow() + _grace;
        foreach (var name in connection.Scopes) Leave(principal, connection, name, due);
        foreach (var name in connection.PresenceChannels) Leave(principal, connection, name, due);
        if (_grace == TimeSpan.Zero) Sweep();
    }

    /// <summary>Takes the connection out of the scope; true when it was its user's last there (offline at <paramref name="due"/>).</summary>
    private bool Leave(Principal principal, ClientConnection connection, string name, DateTimeOffset due)
    {
        if (!_scopes.TryGetValue(name, out var scope)) return false;
        lock (scope.Lock)
        {
            if (!scope.Users.TryGetValue(principal.SubjectId, out var user)) return false;
            if (!user.Connections.Remove(connection) || user.Connections.Count > 0) return false;
            user.OfflineAt = due;
            return true;
        }
    }

    /// <summary>Announces users whose grace ran out. Returns how many went offline.</summary>
    internal int Sweep()
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var scope in _scopes.Values) count += Sweep(scope, now);
        return count;
    }

    private int Sweep(ScopePresence scope, DateTimeOffset now)
    {
        var count = 0;
        lock (scope.Lock)
        {
            List<string>? gone = null;
            foreach (var (userId, user) in scope.Users)
            {
                if (user.OfflineAt is { } at && at <= now) (gone ??= []).Add(userId);
            }
            if (gone is null) return 0;
            foreach (var userId in gone)
            {
                scope.Pending.Enqueue(new Transition(scope.Users[userId].Principal, Online: false));
                scope.Users.Remove(userId);
                count++;
            }
        }
        Announce(scope);
        DropIfEmpty(scope);
        return count;
    }

    /// <summary>
    /// At shutdown (or when a cluster fenced this node), once every connection has closed: announces every user still
    /// listed offline now instead of after a grace that would outlive them, so the durable log pairs each USER_ONLINE
    /// with a USER_OFFLINE. Returns how many went offline.
    /// </summary>
    internal int LeaveAll()
    {
        var count = 0;
        foreach (var scope in _scopes.Values)
        {
            lock (scope.Lock)
            {
                foreach (var user in scope.Users.Values)
                {
                    scope.Pending.Enqueue(new Transition(user.Principal, Online: false));
                    count++;
                }
                scope.Users.Clear();
            }
            Announce(scope);
            DropIfEmpty(scope);
        }
        return count;
    }

    public ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string scope, CancellationToken cancellationToken = default) =>
        backend.ListAsync(scope, List(scope), cancellationToken);

    /// <summary>The scope's users on this node with their open connections; users within the leave grace are still listed.</summary>
    public IReadOnlyList<PresenceUser> List(string scope)
    {
        if (!_scopes.TryGetValue(scope, out var state)) return [];
        lock (state.Lock)
        {
            var result = new List<PresenceUser>(state.Users.Count);
            foreach (var user in state.Users.Values)
            {
                var connections = new List<PresenceConnection>(user.Connections.Count);
                foreach (var c in user.Connections)
                    connections.Add(new PresenceConnection(c.Id, c.AppType, c.Device, c.ConnectedAt.ToUnixTimeMilliseconds(), c.LastSeenMs));
                var p = user.Principal;
                result.Add(new PresenceUser(p.SubjectId, p.Name, p.Role, user.OnlineSince.ToUnixTimeMilliseconds(), connections));
            }
            return result;
        }
    }

    public IReadOnlyList<ClientConnection> Connections(string scope)
    {
        if (!_scopes.TryGetValue(scope, out var state)) return [];
        lock (state.Lock)
        {
            var result = new List<ClientConnection>();
            foreach (var user in state.Users.Values) result.AddRange(user.Connections);
            return result;
        }
    }

    public ValueTask<bool> IsConnectedAsync(string userId, CancellationToken cancellationToken = default) =>
        _connected.ContainsKey(userId) ? ValueTask.FromResult(true) : backend.IsConnectedElsewhereAsync(userId, cancellationToken);

    private void Disconnected(string userId)
    {
        while (_connected.TryGetValue(userId, out var count))
        {
            if (count > 1 ? _connected.TryUpdate(userId, count - 1, count) : _connected.TryRemove(new KeyValuePair<string, int>(userId, 1))) return;
        }
    }

    public bool IsOnline(string scope, string userId)
    {
        if (!_scopes.TryGetValue(scope, out var state)) return false;
        lock (state.Lock) return state.Users.ContainsKey(userId);
    }

    /// <summary>
    /// Announces the scope's queued transitions in order, outside its lock. One thread announces a scope at a time; a
    /// thread that finds another at it leaves its transitions to that one, which looks again before it lets go.
    /// </summary>
    private void Announce(ScopePresence scope)
    {
        while (Interlocked.CompareExchange(ref scope.Announcing, 1, 0) == 0)
        {
            while (true)
            {
                Transition next;
                lock (scope.Lock)
                {
                    if (!scope.Pending.TryDequeue(out next)) break;
                }
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if (next.Online)
                {
                    metrics.UserOnline();
                    backend.Online(next.Principal, scope.Name, now);
                }
                else
                {
                    metrics.UserOffline();
                    backend.Offline(next.Principal, scope.Name, now);
                }
                Log.Presence(logger, next.Principal.SubjectId, scope.Name, next.Online ? PresenceEvents.Online : PresenceEvents.Offline);
            }
            Volatile.Write(ref scope.Announcing, 0);
            lock (scope.Lock)
            {
                if (scope.Pending.Count == 0) return;
            }
        }
    }

    private void DropIfEmpty(ScopePresence scope)
    {
        lock (scope.Lock)
        {
            if (scope.Users.Count > 0 || scope.Pending.Count > 0) return;
            scope.Dropped = true;
            _scopes.TryRemove(new KeyValuePair<string, ScopePresence>(scope.Name, scope));
        }
    }

    private readonly record struct Transition(Principal Principal, bool Online);

    private sealed class ScopePresence(string name)
    {
        public string Name { get; } = name;
        public Lock Lock { get; } = new();
        public Dictionary<string, UserPresence> Users { get; } = new(StringComparer.Ordinal);
        public Queue<Transition> Pending { get; } = new();
        public bool Dropped { get; set; }
        public int Announcing;
    }

    private sealed class UserPresence(Principal principal, DateTimeOffset onlineSince)
    {
        public Principal Principal { get; set; } = principal;
        public DateTimeOffset OnlineSince { get; } = onlineSince;
        public List<ClientConnection> Connections { get; } = [];
        public DateTimeOffset? OfflineAt { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Debug, "User {UserId} in scope {Scope} is {State}.")]
        public static partial void Presence(ILogger logger, string userId, string scope, string state);
    }
}
