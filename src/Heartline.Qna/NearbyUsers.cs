using Dapper;
using Heartline.Core.Modules;
using Heartline.Core.Storage;

namespace Heartline.Qna;

/// <summary>
/// Who might be told of a question by where they were last: the users within a radius, or in a region, with their
/// settings, not the asker, not blocked, not told before. One node keeps every located user in memory, in grid cells
/// (<see cref="MemoryNearbyUsers"/>); a cluster asks the database, where every node's location updates are
/// (<see cref="SqlNearbyUsers"/>). Both read only the cells of the radius's bounding box, never every user.
/// </summary>
internal interface INearbyUsers
{
    /// <summary>Within the radius; <paramref name="excludeTold"/> leaves out whoever an earlier tier told (tier 1 has none).</summary>
    ValueTask<IReadOnlyList<CandidateRow>> NearAsync(QuestionRow question, double radiusMeters, long since, bool excludeTold,
        CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<CandidateRow>> InRegionAsync(QuestionRow question, long since, CancellationToken cancellationToken);

    /// <summary>A location update was stored: the user as the database returned it (with its settings).</summary>
    void Located(CandidateRow user, string region, long at);

    /// <summary>Locations were forgotten: one user's, or (null) any number by the retention sweep.</summary>
    void Forgotten(string? userId);

    /// <summary>The user's settings changed.</summary>
    void SettingsChanged(string userId, UserSettings settings);
}

/// <summary>A cluster: the database answers, on whichever node runs the tier.</summary>
internal sealed class SqlNearbyUsers(QnaStore store) : INearbyUsers
{
    public async ValueTask<IReadOnlyList<CandidateRow>> NearAsync(QuestionRow question, double radiusMeters, long since, bool excludeTold,
        CancellationToken cancellationToken) =>
        await store.CandidatesNearAsync(question, radiusMeters, since, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<CandidateRow>> InRegionAsync(QuestionRow question, long since, CancellationToken cancellationToken) =>
        await store.CandidatesInRegionAsync(question, since, cancellationToken).ConfigureAwait(false);

    public void Located(CandidateRow user, string region, long at)
    {
    }

    public void Forgotten(string? userId)
    {
    }

    public void SettingsChanged(string userId, UserSettings settings)
    {
    }
}

/// <summary>
/// One node: every located user in memory (loaded from the database on first use, then kept up to date by the
/// location, settings and retention paths, which all run on this node), indexed by grid cell and by region. A lookup
/// reads the cells of the radius's box under a read lock; the asker, blocked users and (after tier 1) users told
/// before are left out here, and the database's (question, user) key still makes each user told once.
/// </summary>
internal sealed class MemoryNearbyUsers(IHeartlineDatabase database, QnaStore store, QnaGuard guard) : INearbyUsers, IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    // Cells and regions hold the entries themselves (compared by reference), so a lookup reads them without a hash per user.
    private readonly Dictionary<string, Entry> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Y, int X), HashSet<Entry>> _cells = [];
    private readonly Dictionary<string, HashSet<Entry>> _regions = new(StringComparer.Ordinal);
    private volatile bool _loaded;

    public async ValueTask<IReadOnlyList<CandidateRow>> NearAsync(QuestionRow question, double radiusMeters, long since, bool excludeTold,
        CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var (minY, maxY, minX, maxX) = GeoGrid.Box(question.Point, radiusMeters);
        var found = new List<CandidateRow>();
        var at = question.Point;
        _lock.EnterReadLock();
        try
        {
            for (var y = minY; y <= maxY; y++)
            {
                for (var x = minX; x <= maxX; x++)
                {
                    if (!_cells.TryGetValue((y, x), out var users)) continue;
                    foreach (var user in users)
                    {
                        // The box's corners are outside the circle: only those within the radius go on.
                        if (user.LocatedAt >= since && user.Point.DistanceTo(at) <= radiusMeters && user.Row.UserId != question.AskerId)
                            found.Add(user.Row);
                    }
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return await WithoutToldAndBlockedAsync(question, found, excludeTold, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<CandidateRow>> InRegionAsync(QuestionRow question, long since, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<CandidateRow>();
        _lock.EnterReadLock();
        try
        {
            if (_regions.TryGetValue(question.Region, out var users))
            {
                foreach (var user in users)
                {
                    if (user.LocatedAt >= since && user.Row.UserId != question.AskerId) found.Add(user.Row);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return await WithoutToldAndBlockedAsync(question, found, excludeTold: true, cancellationToken).ConfigureAwait(false);
    }

    public void Located(CandidateRow user, string region, long at)
    {
        if (!_loaded) return; // the load reads it from the database
        _lock.EnterWriteLock();
        try
        {
            RemoveLocked(user.UserId);
            AddLocked(user, region, at);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Forgotten(string? userId)
    {
        if (userId is null)
        {
            // The retention sweep forgot any number: load again on next use.
            _loaded = false;
            return;
        }
        _lock.EnterWriteLock();
        try
        {
            RemoveLocked(userId);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void SettingsChanged(string userId, UserSettings settings)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_users.TryGetValue(userId, out var user)) return;
            user.Row = user.Row with
                {
                    Notify = settings.Notify ? 1 : 0, RadiusM = settings.RadiusMeters, QuietStart = settings.QuietStart, QuietEnd = settings.QuietEnd,
                    Topics = Hashtags.Join(settings.Topics), InApp = settings.InApp ? 1 : 0, Push = settings.Push ? 1 : 0,
                };
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private async ValueTask<IReadOnlyList<CandidateRow>> WithoutToldAndBlockedAsync(QuestionRow question, List<CandidateRow> found, bool excludeTold,
        CancellationToken cancellationToken)
    {
        var told = excludeTold
            ? (await store.NotifiedAsync(question.Id, cancellationToken).ConfigureAwait(false)).Select(n => n.UserId).ToHashSet(StringComparer.Ordinal)
            : null;
        var result = new List<CandidateRow>(found.Count);
        foreach (var row in found)
        {
            if (told?.Contains(row.UserId) == true) continue;
            if (guard.IsBlockedUserNow(row.UserId)) continue;
            result.Add(row);
        }
        return result;
    }

    private async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded) return;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded) return;
            var rows = await database.ReadAsync(c => c.QueryAsync<(string UserId, double Lat, double Lng, string Region, long LocatedAt, long Notify,
                long RadiusM, string? QuietStart, string? QuietEnd, string? Topics, long InApp, long Push)>(new CommandDefinition(
                """
                SELECT user_id, lat, lng, region, located_at, notify, radius_m, quiet_start, quiet_end, topics, in_app, push
                FROM qna_users WHERE located_at IS NOT NULL
                """, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false);
            _lock.EnterWriteLock();
            try
            {
                _users.Clear();
                _cells.Clear();
                _regions.Clear();
                foreach (var r in rows)
                    AddLocked(new CandidateRow(r.UserId, r.Lat, r.Lng, r.Notify, r.RadiusM, r.QuietStart, r.QuietEnd, r.Topics, r.InApp, r.Push), r.Region, r.LocatedAt);
                _loaded = true;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private void AddLocked(CandidateRow row, string region, long locatedAt)
    {
        var point = new GeoPoint(row.Lat!.Value, row.Lng!.Value);
        var user = new Entry(row, point, GeoGrid.CellOf(point), region, locatedAt);
        _users[row.UserId] = user;
        if (!_cells.TryGetValue(user.Cell, out var inCell)) _cells[user.Cell] = inCell = [];
        inCell.Add(user);
        if (!_regions.TryGetValue(region, out var inRegion)) _regions[region] = inRegion = [];
        inRegion.Add(user);
    }

    private void RemoveLocked(string userId)
    {
        if (!_users.Remove(userId, out var old)) return;
        if (_cells.TryGetValue(old.Cell, out var inCell) && inCell.Remove(old) && inCell.Count == 0) _cells.Remove(old.Cell);
        if (_regions.TryGetValue(old.Region, out var inRegion) && inRegion.Remove(old) && inRegion.Count == 0) _regions.Remove(old.Region);
    }

    /// <summary>A located user; <see cref="Row"/> changes with the settings (under the write lock), the rest with a move (a new entry).</summary>
    private sealed class Entry(CandidateRow row, GeoPoint point, (int Y, int X) cell, string region, long locatedAt)
    {
        public CandidateRow Row { get; set; } = row;
        public GeoPoint Point { get; } = point;
        public (int Y, int X) Cell { get; } = cell;
        public string Region { get; } = region;
        public long LocatedAt { get; } = locatedAt;
    }

    public void Dispose()
    {
        _lock.Dispose();
        _loading.Dispose();
    }
}

internal static class NearbyUsersRegistration
{
    /// <summary>Memory on one node, the database in a cluster.</summary>
    public static INearbyUsers Create(IServiceProvider services) =>
        services.GetRequiredService<HeartlineNode>().IsCluster
            ? ActivatorUtilities.CreateInstance<SqlNearbyUsers>(services)
            : ActivatorUtilities.CreateInstance<MemoryNearbyUsers>(services);
}
