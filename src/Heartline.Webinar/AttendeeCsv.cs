using System.Globalization;

namespace Heartline.Webinar;

/// <summary>
/// The attendee report: per viewer one <c>viewer</c> row with the statistics' figures, followed by one
/// <c>session</c> row per join/leave (as Zoom lists rejoins). RFC 4180 quoting; cells that a spreadsheet would run
/// as a formula (starting with = + - @, tab or carriage return) get a leading apostrophe.
/// </summary>
internal static class AttendeeCsv
{
    public const string Header =
        "row_type,viewer,user_id,session_key,joined_at,left_at,watched_seconds,visible_seconds,sessions,completed," +
        "closed_reason,raw_visible_seconds,user_agent,referrer,ip_address";

    public static async Task WriteAsync(TextWriter writer, WebinarRecord webinar, WatchTotals totals,
        IReadOnlyList<SessionRow> sessions, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(Header + "\r\n").ConfigureAwait(false);
        var byViewer = totals.Viewers.ToDictionary(v => v.ViewerKey, StringComparer.Ordinal);
        string? current = null;
        var cells = new string?[15];
        foreach (var s in sessions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (s.ViewerKey != current && byViewer.TryGetValue(s.ViewerKey, out var v))
            {
                current = s.ViewerKey;
                Array.Clear(cells);
                cells[0] = "viewer";
                cells[1] = v.ViewerKey;
                cells[2] = v.UserId;
                cells[4] = Time(v.FirstJoinAt);
                cells[5] = v.LastLeaveAt is { } leave ? Time(leave) : null;
                cells[6] = Seconds(v.WatchedSeconds);
                cells[7] = Seconds(v.VisibleSeconds);
                cells[8] = v.Sessions.ToString(CultureInfo.InvariantCulture);
                cells[9] = v.Completed ? "true" : "false";
                await WriteRowAsync(writer, cells).ConfigureAwait(false);
            }

            Array.Clear(cells);
            cells[0] = "session";
            cells[1] = s.ViewerKey;
            cells[2] = s.UserId;
            cells[3] = s.SessionId;
            cells[4] = Time(s.EnteredAt);
            cells[5] = s.ExitedAt is { } exited ? Time(exited) : null;
            var overlap = Math.Max(0, Math.Min(s.EndAt, webinar.ContentTo) - Math.Max(s.EnteredAt, webinar.ContentFrom));
            cells[6] = Seconds(overlap / 1000.0);
            cells[7] = Seconds(s.VisibleContentSeconds);
            cells[10] = s.ClosedReason;
            cells[11] = Seconds(s.WatchedSecondsRaw);
            cells[12] = s.UserAgent;
            cells[13] = s.Referrer;
            cells[14] = s.IpAddress;
            await WriteRowAsync(writer, cells).ConfigureAwait(false);
        }
    }

    /// <summary>One CSV cell: neutralized against formula injection, then quoted when needed.</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static async Task WriteRowAsync(TextWriter writer, string?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) await writer.WriteAsync(',').ConfigureAwait(false);
            await writer.WriteAsync(Cell(cells[i])).ConfigureAwait(false);
        }
        await writer.WriteAsync("\r\n").ConfigureAwait(false);
    }

    private static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => ((long)Math.Floor(seconds)).ToString(CultureInfo.InvariantCulture);
}
