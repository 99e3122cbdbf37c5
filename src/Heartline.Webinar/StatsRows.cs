using System.Buffers;

namespace Heartline.Webinar;

/// <summary>
/// A webinar's statistics rows, ordered by (viewer, entered_at): the sessions in a pooled array of plain structs that
/// point at their viewer by index, and each viewer's key once. 100,000 sessions are ~3 MB: as fresh arrays (and a
/// list's doubling copies) each request allocated on the large object heap and set off a full collection (measured:
/// a gen-2 GC per stats request), and a pooled array of references would still be scanned by every young
/// collection; this one holds no references at all. Dispose returns the array.
/// </summary>
internal sealed class StatsRows : IDisposable
{
    private StatsSession[] _rows;
    private readonly List<string> _viewerKeys = [];

    public StatsRows(int capacity = 1024) => _rows = ArrayPool<StatsSession>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public ReadOnlySpan<StatsSession> Span => _rows.AsSpan(0, Count);

    /// <summary>Distinct viewers (consecutive rows of one key are one viewer).</summary>
    public int Viewers => _viewerKeys.Count;

    public string ViewerKey(int viewer) => _viewerKeys[viewer];

    /// <summary>The user id in a signed-in viewer's key (<c>u:{user}</c>); null for guests.</summary>
    public static string? UserIdOf(string viewerKey) =>
        viewerKey.StartsWith("u:", StringComparison.Ordinal) ? viewerKey[2..] : null;

    /// <summary>Appends a session; a key other than the previous row's starts a new viewer.</summary>
    public void Add(string viewerKey, long enteredAt, long endAt, bool open, double visibleContentSeconds)
    {
        var last = _viewerKeys.Count - 1;
        if (last < 0 || !string.Equals(_viewerKeys[last], viewerKey, StringComparison.Ordinal))
            _viewerKeys.Add(viewerKey);
        if (Count == _rows.Length)
        {
            var larger = ArrayPool<StatsSession>.Shared.Rent(_rows.Length * 2);
            _rows.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<StatsSession>.Shared.Return(_rows);
            _rows = larger;
        }
        _rows[Count++] = new StatsSession(_viewerKeys.Count - 1, enteredAt, endAt, open, visibleContentSeconds);
    }

    public void Dispose()
    {
        if (_rows.Length > 0) ArrayPool<StatsSession>.Shared.Return(_rows);
        _rows = [];
        _viewerKeys.Clear();
        Count = 0;
    }
}
