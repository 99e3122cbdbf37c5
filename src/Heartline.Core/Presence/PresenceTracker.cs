using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>
/// Who is online, per office: a user holds one entry per connection (tabs, devices). Online and offline are announced
/// only on 0↔1 transitions, and offline only after the leave grace, so reconnects don't flap.
/// </summary>
internal sealed partial class PresenceTracker(
    IPresenceBackend backend, HeartlineMetrics metrics, IOptions<PresenceOptions> options, TimeProvider time,
    ILogger<PresenceTracker> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, UserPresence>> _offices = new(StringComparer.Ordinal);
    private readonly TimeSpan _grace = TimeSpan.FromSeconds(options.Value.LeaveGraceSeconds);

    public void Add(ClientConnection connection)
    {
        var user = connection.User ?? throw new InvalidOperationException("connection is not authenticated");
        lock (_lock)
        {
            if (!_offices.TryGetValue(user.OfficeKey, out var users))
                _offices[user.OfficeKey] = users = new(StringComparer.Ordinal);
            if (!users.TryGetValue(user.UserId, out var presence))
            {
                users[user.UserId] = presence = new UserPresence(user, time.GetUtcNow());
                presence.Connections.Add(connection);
                metrics.UserOnline();
                Announce(user, PresenceEvents.Online);
                return;
            }
            presence.User = user;
            presence.Connections.Add(connection);
            // Back within the grace: the pending offline is forgotten and nobody hears of the gap.
            presence.OfflineAt = null;
        }
    }

    public void Remove(ClientConnection connection)
    {
        var user = connection.User;
        if (user is null) return;
        lock (_lock)
        {
            if (!_offices.TryGetValue(user.OfficeKey, out var users) || !users.TryGetValue(user.UserId, out var presence)) return;
            if (!presence.Connections.Remove(connection) || presence.Connections.Count > 0) return;
            presence.OfflineAt = time.GetUtcNow() + _grace;
        }
        if (_grace == TimeSpan.Zero) Sweep();
    }

    /// <summary>Announces users whose grace ran out. Returns how many went offline.</summary>
    internal int Sweep()
    {
        var now = time.GetUtcNow();
        var count = 0;
        lock (_lock)
        {
            foreach (var (office, users) in _offices)
            {
                List<string>? gone = null;
                foreach (var (userId, presence) in users)
                {
                    if (presence.OfflineAt is { } at && at <= now) (gone ??= []).Add(userId);
                }
                if (gone is null) continue;
                foreach (var userId in gone)
                {
                    var presence = users[userId];
                    users.Remove(userId);
                    metrics.UserOffline();
                    Announce(presence.User, PresenceEvents.Offline);
                    count++;
                }
                if (users.Count == 0) _offices.Remove(office);
            }
        }
        return count;
    }

    /// <summary>
    /// At shutdown, once every connection has closed: announces every user still listed offline now instead of after a
    /// grace that would outlive the process, so the durable log pairs each USER_ONLINE with a USER_OFFLINE.
    /// Returns how many went offline.
    /// </summary>
    internal int LeaveAll()
    {
        var count = 0;
        lock (_lock)
        {
            foreach (var users in _offices.Values)
            {
                foreach (var presence in users.Values)
                {
                    metrics.UserOffline();
                    Announce(presence.User, PresenceEvents.Offline);
                    count++;
                }
            }
            _offices.Clear();
        }
        return count;
    }

    /// <summary>The office's users on every node (see <see cref="IPresenceBackend"/>).</summary>
    public ValueTask<IReadOnlyList<PresenceUser>> ListAsync(string officeKey, CancellationToken cancellationToken = default) =>
        backend.ListAsync(officeKey, List(officeKey), cancellationToken);

    /// <summary>The office's users on this node with their open connections; users within the leave grace are still listed.</summary>
    public IReadOnlyList<PresenceUser> List(string officeKey)
    {
        lock (_lock)
        {
            if (!_offices.TryGetValue(officeKey, out var users)) return [];
            var result = new List<PresenceUser>(users.Count);
            foreach (var presence in users.Values)
            {
                var connections = new List<PresenceConnection>(presence.Connections.Count);
                foreach (var c in presence.Connections)
                {
                    connections.Add(new PresenceConnection(c.Id, c.AppType, c.Device,
                        c.ConnectedAt.ToUnixTimeMilliseconds(), c.LastSeenMs));
                }
                var u = presence.User;
                result.Add(new PresenceUser(u.UserId, u.Name, u.Role, presence.OnlineSince.ToUnixTimeMilliseconds(), connections));
            }
            return result;
        }
    }

    /// <summary>Open connections of an office (for modules that address every member).</summary>
    public IReadOnlyList<ClientConnection> Connections(string officeKey)
    {
        lock (_lock)
        {
            if (!_offices.TryGetValue(officeKey, out var users)) return [];
            var result = new List<ClientConnection>();
            foreach (var presence in users.Values) result.AddRange(presence.Connections);
            return result;
        }
    }

    public bool IsOnline(string officeKey, string userId)
    {
        lock (_lock) return _offices.TryGetValue(officeKey, out var users) && users.ContainsKey(userId);
    }

    private void Announce(HeartlineUser user, string kind)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (kind == PresenceEvents.Online) backend.Online(user, now);
        else backend.Offline(user, now);
        Log.Presence(logger, user.UserId, user.OfficeKey, kind);
    }

    private sealed class UserPresence(HeartlineUser user, DateTimeOffset onlineSince)
    {
        public HeartlineUser User { get; set; } = user;
        public DateTimeOffset OnlineSince { get; } = onlineSince;
        public List<ClientConnection> Connections { get; } = [];
        public DateTimeOffset? OfflineAt { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Debug, "User {UserId} of office {Office} is {State}.")]
        public static partial void Presence(ILogger logger, string userId, string office, string state);
    }
}
