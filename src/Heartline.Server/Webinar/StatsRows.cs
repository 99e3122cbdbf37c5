using System.Buffers;

namespace Heartline.Server.Webinar;

/// <summary>
/// A webinar's statistics rows in a pooled array. 100,000 sessions are ~5 MB: as fresh arrays (and a list's doubling
/// copies) each request allocated on the large object heap and set off a full collection (measured: a gen-2 GC per
/// stats request); rented, they are reused. Dispose returns the array, so read <see cref="Span"/> before that.
/// </summary>
internal sealed class StatsRows : IDisposable
{
    private StatsSession[] _rows;

    public StatsRows(int capacity = 1024) => _rows = ArrayPool<StatsSession>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public ReadOnlySpan<StatsSession> Span => _rows.AsSpan(0, Count);

    public void Add(in StatsSession row)
    {
        if (Count == _rows.Length)
        {
            var larger = ArrayPool<StatsSession>.Shared.Rent(_rows.Length * 2);
            _rows.AsSpan(0, Count).CopyTo(larger);
            Return();
            _rows = larger;
        }
        _rows[Count++] = row;
    }

    public static StatsRows From(ReadOnlySpan<StatsSession> rows)
    {
        var result = new StatsRows(rows.Length);
        foreach (var row in rows) result.Add(row);
        return result;
    }

    public void Dispose()
    {
        Return();
        _rows = [];
        Count = 0;
    }

    // The rows hold strings: clear them so a pooled array doesn't keep viewer keys alive.
    private void Return()
    {
        if (_rows.Length > 0) ArrayPool<StatsSession>.Shared.Return(_rows, clearArray: true);
    }
}
