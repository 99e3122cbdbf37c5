using Heartline.Webinar;

namespace Heartline.Tests.Webinar;

public sealed class StatsRowsTests
{
    [Fact]
    public void Add_BeyondTheRentedCapacity_KeepsEveryRowAndViewerInOrder()
    {
        using var rows = new StatsRows(capacity: 16);
        for (var i = 0; i < 5000; i++) rows.Add($"u:{i / 3}", i, i + 10, i % 7 == 0, i / 2.0);

        Assert.Equal((5000, 1667), (rows.Count, rows.Viewers));
        for (var i = 0; i < 5000; i++)
        {
            Assert.Equal(new StatsSession(i / 3, i, i + 10, i % 7 == 0, i / 2.0), rows.Span[i]);
            Assert.Equal($"u:{i / 3}", rows.ViewerKey(rows.Span[i].Viewer));
        }
    }

    [Fact]
    public void Add_EqualKeysInDifferentStrings_AreOneViewer()
    {
        using var rows = new StatsRows();
        rows.Add(new string('g', 1) + ":1", 1, 2, false, 0);
        rows.Add("g:" + 1, 3, 4, false, 0);
        rows.Add("g:2", 5, 6, true, 0);

        Assert.Equal((3, 2), (rows.Count, rows.Viewers));
        Assert.Equal([0, 0, 1], rows.Span.ToArray().Select(r => r.Viewer));
    }

    [Fact]
    public void UserIdOf_SignedInAndGuestKeys()
    {
        Assert.Equal("김기사", StatsRows.UserIdOf("u:김기사"));
        Assert.Null(StatsRows.UserIdOf("g:0123"));
    }

    [Fact]
    public void Dispose_LeavesNoRows()
    {
        var rows = new StatsRows();
        rows.Add("g:1", 1, 2, false, 0);

        rows.Dispose();

        Assert.Equal((0, 0), (rows.Count, rows.Viewers));
        Assert.True(rows.Span.IsEmpty);
    }
}
