namespace Heartline.Qna;

/// <summary>A point on the earth, in degrees.</summary>
internal readonly record struct GeoPoint(double Lat, double Lng)
{
    private const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>The great-circle distance in metres (haversine).</summary>
    public double DistanceTo(GeoPoint other)
    {
        var p1 = Lat * Math.PI / 180;
        var p2 = other.Lat * Math.PI / 180;
        var dp = (other.Lat - Lat) * Math.PI / 180;
        var dl = (other.Lng - Lng) * Math.PI / 180;
        var a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>Rounded to 3 decimals (about 100 m): the precision the service keeps and shows (seed: 100 m).</summary>
    public GeoPoint Rounded() => new(Math.Round(Lat, 3), Math.Round(Lng, 3));
}

/// <summary>One of the seed's 11 regions, with a stable code and its Korean and English names.</summary>
internal sealed record JejuRegion(string Code, string NameKo, string NameEn);

/// <summary>
/// Jeju's bounds and regions. A point's region is the region of the nearest reference point (nearest-centre, a
/// Voronoi partition): each region has its town centre and, where a region is long or split by another's centre
/// (제주시 around the airport and 아라, 서귀포 at 중문), more points. It is an approximation good for "which
/// neighbourhood is this", not an administrative boundary; docs/qna.md says so.
/// </summary>
internal static class Jeju
{
    /// <summary>The island with Udo and Marado; Chuja is left out (ferry only, too far for "nearby").</summary>
    public const double MinLat = 33.10, MaxLat = 33.60, MinLng = 126.10, MaxLng = 127.00;

    public static readonly JejuRegion[] Regions =
    [
        new("aewol", "애월", "Aewol"),
        new("hallim", "한림", "Hallim"),
        new("jeju_city", "제주시", "Jeju City"),
        new("jocheon", "조천", "Jocheon"),
        new("gujwa", "구좌", "Gujwa"),
        new("seongsan", "성산", "Seongsan"),
        new("pyoseon", "표선", "Pyoseon"),
        new("namwon", "남원", "Namwon"),
        new("seogwipo", "서귀포", "Seogwipo"),
        new("andeok", "안덕", "Andeok"),
        new("daejeong", "대정", "Daejeong"),
    ];

    // (region index, lat, lng): town centres and the extra points named above.
    private static readonly (int Region, GeoPoint Point)[] Centres =
    [
        (0, new(33.4626, 126.3305)), // 애월읍
        (1, new(33.4110, 126.2694)), // 한림읍
        (2, new(33.4996, 126.5312)), // 제주시 원도심
        (2, new(33.4850, 126.4800)), // 제주시 노형·공항
        (2, new(33.4650, 126.5500)), // 제주시 아라
        (3, new(33.5384, 126.6347)), // 조천읍
        (4, new(33.5259, 126.8206)), // 구좌읍
        (5, new(33.4365, 126.9180)), // 성산읍
        (6, new(33.3264, 126.8311)), // 표선면
        (7, new(33.2796, 126.7194)), // 남원읍
        (8, new(33.2541, 126.5600)), // 서귀포 시내
        (8, new(33.2500, 126.4120)), // 서귀포 중문
        (9, new(33.2530, 126.3350)), // 안덕면
        (10, new(33.2251, 126.2500)), // 대정읍
    ];

    public static bool Contains(GeoPoint point) =>
        point.Lat is >= MinLat and <= MaxLat && point.Lng is >= MinLng and <= MaxLng;

    /// <summary>The region of a point inside Jeju (nearest reference point).</summary>
    public static JejuRegion RegionOf(GeoPoint point)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        foreach (var (region, centre) in Centres)
        {
            var distance = point.DistanceTo(centre);
            if (distance < bestDistance) (best, bestDistance) = (region, distance);
        }
        return Regions[best];
    }

    public static JejuRegion? FindRegion(string code) => Array.Find(Regions, r => r.Code == code);

    /// <summary>A region's first reference point: its town centre (where an app puts a user who picked the region).</summary>
    public static GeoPoint CentreOf(JejuRegion region) => Centres.First(c => Regions[c.Region] == region).Point;
}

/// <summary>
/// The square-ish grid rows and columns are stored with (cell_y, cell_x; about 1.1 km each way at Jeju's latitude) and
/// indexed, so "who is within R of here" reads only the cells of R's bounding box instead of every located user;
/// exact distances are computed for those only. A grid fits here: users are spread over one small island, the database
/// does the lookup on any node of a cluster, and the same SQL runs on SQLite and PostgreSQL.
/// </summary>
internal static class GeoGrid
{
    public const double CellLat = 0.01, CellLng = 0.012;
    private const double MetersPerDegreeLat = 111_320;

    public static (int Y, int X) CellOf(GeoPoint point) => ((int)Math.Floor(point.Lat / CellLat), (int)Math.Floor(point.Lng / CellLng));

    /// <summary>The cell ranges covering a circle of <paramref name="radiusMeters"/> around <paramref name="centre"/>.</summary>
    public static (int MinY, int MaxY, int MinX, int MaxX) Box(GeoPoint centre, double radiusMeters)
    {
        var dLat = radiusMeters / MetersPerDegreeLat;
        var dLng = radiusMeters / (MetersPerDegreeLat * Math.Cos(centre.Lat * Math.PI / 180));
        return ((int)Math.Floor((centre.Lat - dLat) / CellLat), (int)Math.Floor((centre.Lat + dLat) / CellLat),
            (int)Math.Floor((centre.Lng - dLng) / CellLng), (int)Math.Floor((centre.Lng + dLng) / CellLng));
    }
}
