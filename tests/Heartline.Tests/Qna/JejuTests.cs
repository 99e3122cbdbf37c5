using Heartline.Qna;

namespace Heartline.Tests.Qna;

/// <summary>Regions by nearest reference point, the island's bounds, distances, quiet hours and hashtags: pure functions.</summary>
public sealed class JejuTests
{
    [Theory]
    [InlineData(33.4627, 126.3102, "aewol")]    // 한담해변
    [InlineData(33.3940, 126.2396, "hallim")]   // 협재해수욕장
    [InlineData(33.5104, 126.4914, "jeju_city")] // 제주국제공항
    [InlineData(33.4890, 126.4983, "jeju_city")] // 신제주
    [InlineData(33.5432, 126.6694, "jocheon")]  // 함덕해수욕장
    [InlineData(33.5566, 126.7958, "gujwa")]    // 월정리해변
    [InlineData(33.4581, 126.9425, "seongsan")] // 성산일출봉
    [InlineData(33.3262, 126.8386, "pyoseon")]  // 표선해수욕장
    [InlineData(33.2749, 126.6631, "namwon")]   // 위미
    [InlineData(33.2493, 126.5627, "seogwipo")] // 서귀포 시내
    [InlineData(33.2490, 126.4122, "seogwipo")] // 중문관광단지
    [InlineData(33.2420, 126.3350, "andeok")]   // 화순
    [InlineData(33.2167, 126.2508, "daejeong")] // 모슬포
    public void RegionOf_KnownPlaces(double lat, double lng, string region) =>
        Assert.Equal(region, Jeju.RegionOf(new GeoPoint(lat, lng)).Code);

    [Fact]
    public void Bounds_AreTheIsland()
    {
        Assert.True(Jeju.Contains(new GeoPoint(33.4996, 126.5312)));
        Assert.True(Jeju.Contains(new GeoPoint(33.5060, 126.9530))); // 우도
        Assert.False(Jeju.Contains(new GeoPoint(37.5665, 126.9780))); // 서울
        Assert.False(Jeju.Contains(new GeoPoint(33.9600, 126.3000))); // 추자도: left out on purpose
        Assert.Equal(11, Jeju.Regions.Length);
    }

    [Fact]
    public void Distance_IsTheGreatCircle()
    {
        // 제주국제공항 → 성산일출봉 is about 43 km.
        var d = new GeoPoint(33.5104, 126.4914).DistanceTo(new GeoPoint(33.4581, 126.9425));
        Assert.InRange(d, 41_500, 43_500);
        Assert.Equal(0, new GeoPoint(33.5, 126.5).DistanceTo(new GeoPoint(33.5, 126.5)));
    }

    [Fact]
    public void GridBox_CoversTheCircle()
    {
        var centre = new GeoPoint(33.463, 126.331);
        var (minY, maxY, minX, maxX) = GeoGrid.Box(centre, 2000);
        foreach (var bearing in Enumerable.Range(0, 36).Select(i => i * 10 * Math.PI / 180))
        {
            var edge = new GeoPoint(centre.Lat + 1999 * Math.Cos(bearing) / 111_320, centre.Lng + 1999 * Math.Sin(bearing) / (111_320 * Math.Cos(centre.Lat * Math.PI / 180)));
            var (y, x) = GeoGrid.CellOf(edge);
            Assert.InRange(y, minY, maxY);
            Assert.InRange(x, minX, maxX);
        }
    }

    [Theory]
    [InlineData("22:00", "07:00", "23:30", true)]
    [InlineData("22:00", "07:00", "06:59", true)]
    [InlineData("22:00", "07:00", "07:00", false)]
    [InlineData("22:00", "07:00", "12:00", false)]
    [InlineData("13:00", "14:00", "13:30", true)]
    [InlineData("13:00", "13:00", "13:00", false)]
    public void QuietHours_WrapAroundMidnight(string start, string end, string now, bool quiet) =>
        Assert.Equal(quiet, Notifier.InQuietHours(UserSettings.Default with { QuietStart = start, QuietEnd = end }, TimeSpan.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Hashtags_AreNormalized_OrRefused()
    {
        Assert.Equal(["오름", "parking"], Hashtags.Normalize(["#오름", "Parking", "parking"])!);
        Assert.Null(Hashtags.Normalize(["two words"]));
        Assert.Null(Hashtags.Normalize([""]));
        Assert.Null(Hashtags.Normalize([new string('a', 31)]));
    }
    [Fact]
    public void NearestFirst_KeepsThoseWithinTheRadius_NearestFirst_TiesByUserId_UnlocatedLast()
    {
        var at = new GeoPoint(Places.Aewol.Lat, Places.Aewol.Lng);
        CandidateRow User(string id, (double Lat, double Lng)? p) => new(id, p?.Lat, p?.Lng, 1, 100_000, null, null, null, 1, 0);
        var candidates = new[]
        {
            User("far", Places.FourKmEast), User("b-near", Places.OneKmEast), User("a-near", Places.OneKmEast),
            User("nowhere", null), User("here", Places.Aewol), User("seongsan", Places.Seongsan),
        };

        var within5Km = Notifier.NearestFirst(candidates, at, 5_000).ToList();

        Assert.Equal(["here", "a-near", "b-near", "far", "nowhere"], within5Km.Select(c => c.Candidate.UserId));
        Assert.Equal(0, within5Km[0].Distance!.Value, 3);
        Assert.InRange(within5Km[1].Distance!.Value, 900, 1_100);
        Assert.Null(within5Km[^1].Distance);
        Assert.Equal(["here", "a-near", "b-near"], Notifier.NearestFirst(candidates, at, 2_000).Take(3).Select(c => c.Candidate.UserId));
    }
}
