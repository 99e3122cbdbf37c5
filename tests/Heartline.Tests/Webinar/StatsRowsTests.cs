using Heartline.Server.Webinar;

namespace Heartline.Tests.Webinar;

public sealed class StatsRowsTests
{
    [Fact]
    public void Add_BeyondTheRentedCapacity_KeepsEveryRowInOrder()
    {
        using var rows = new StatsRows(capacity: 16);
        for (var i = 0; i < 5000; i++) rows.Add(new StatsSession($"u:{i / 3}", $"{i / 3}", i, i + 10, i % 7 == 0, i / 2.0));

        Assert.Equal(5000, rows.Count);
        for (var i = 0; i < 5000; i++)
            Assert.Equal(new StatsSession($"u:{i / 3}", $"{i / 3}", i, i + 10, i % 7 == 0, i / 2.0), rows.Span[i]);
    }

    [Fact]
    public void Dispose_LeavesNoRows()
    {
        var rows = StatsRows.From([new StatsSession("g:1", null, 1, 2, false, 0)]);
        Assert.Equal(1, rows.Count);

        rows.Dispose();

        Assert.Equal(0, rows.Count);
        Assert.True(rows.Span.IsEmpty);
    }
}
