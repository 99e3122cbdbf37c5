using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Ptt;

/// <summary>
/// Reports on a manual clock: once a day, a week and a month have ended in Seoul, the office's report is kept, listed
/// newest first, readable as JSON and CSV by its own office only, with its active and registered drivers.
/// </summary>
public sealed class PttReportTests : PttServerTest
{
    [Fact]
    public async Task ADayWeekAndMonthThatEnded_AreReportedOnce_AsJsonAndCsv_ForTheirOfficeOnly()
    {
        using (var admin = Http("root", Roles.Admin))
        {
            foreach (var login in new[] { "reg1", "reg2", "reg3" })
            {
                var created = await admin.PostAsJsonAsync("/api/admin/accounts", new
                {
                    login, password = "driver-password", roles = new[] { "pickup_driver" }, claims = new { region = "r1", office = "o1" },
                });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
        }
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var press = await speaker.PressAsync();
        await listener.NextPttAsync("session_started");
        (await speaker.RequestAsync("ptt.release", new { epoch = press.GetProperty("epoch").GetInt64() })).AssertOk();
        await listener.NextPttAsync("session_ended");
        await Server.Services.GetRequiredService<PttStore>().FlushAsync().WaitAsync(Timeout);
        await speaker.CloseAsync();
        await listener.CloseAsync();

        var seoul = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), seoul).DateTime);
        // The reports run on a clock of their own: the server's stays on the day (advancing it by weeks would tick every
        // periodic timer of the server through those weeks).
        var reportClock = new FakeTimeProvider(Clock.GetUtcNow());
        var reports = ActivatorUtilities.CreateInstance<PttReports>(Server.Services, (TimeProvider)reportClock);
        // The day is not over: nothing to report yet.
        await reports.SweepAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Empty(await ListAsync("cm1", null));

        AdvanceTo(reportClock, day.AddDays(1), seoul);
        await reports.SweepAsync(CancellationToken.None).WaitAsync(Timeout);
        await reports.SweepAsync(CancellationToken.None).WaitAsync(Timeout);
        var daily = Assert.Single(await ListAsync("cm1", "day"));
        var start = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(("r1_o1", "day", start, "Asia/Seoul"), (daily.GetProperty("office").GetString(), daily.GetProperty("period").GetString(),
            daily.GetProperty("start").GetString(), daily.GetProperty("time_zone").GetString()));
        var figures = daily.GetProperty("figures");
        Assert.Equal((1, 1, 0.0), (figures.GetProperty("sessions").GetInt32(), figures.GetProperty("press_attempts").GetInt32(), figures.GetProperty("error_rate").GetDouble()));
        Assert.Equal(1, figures.GetProperty("end_reasons").GetProperty("released").GetInt32());
        Assert.InRange(daily.GetProperty("active_drivers").GetInt32(), 1, 2);
        Assert.Equal(3, daily.GetProperty("registered_drivers").GetInt32());

        var id = daily.GetProperty("report_id").GetString()!;
        using (var manager = Http("cm1", Roles.CallManager))
        {
            using var csv = await manager.GetAsync($"/api/ptt/reports/{Uri.EscapeDataString(id)}/csv");
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
            var bytes = await csv.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
            var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("office,period,start,end,time_zone,sessions,", lines[0], StringComparison.Ordinal);
            Assert.Contains("end_released", lines[0], StringComparison.Ordinal);
            Assert.StartsWith($"r1_o1,day,{start},", lines[1], StringComparison.Ordinal);
        }
        using (var other = Http("cm9", Roles.CallManager, office: "o9"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/ptt/reports/{Uri.EscapeDataString(id)}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/ptt/reports?office=r1_o1")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await other.GetAsync("/api/ptt/reports?period=year")).StatusCode);
        }

        // Past the end of the week and of the month: one of each, and still one report of the day.
        var monday = day.AddDays(7 - (((int)day.DayOfWeek + 6) % 7));
        var nextMonth = new DateOnly(day.Year, day.Month, 1).AddMonths(1);
        AdvanceTo(reportClock, monday > nextMonth ? monday : nextMonth, seoul);
        await reports.SweepAsync(CancellationToken.None).WaitAsync(Timeout);
        var all = await ListAsync("cm1", null);
        Assert.Equal(["day", "month", "week"], all.Select(r => r.GetProperty("period").GetString()).Order(StringComparer.Ordinal));
        Assert.All(all, r => Assert.Equal(1, r.GetProperty("figures").GetProperty("sessions").GetInt32()));
    }

    private static void AdvanceTo(FakeTimeProvider clock, DateOnly localDay, TimeZoneInfo zone)
    {
        var midnight = new DateTimeOffset(localDay.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(localDay.ToDateTime(TimeOnly.MinValue)));
        clock.Advance(midnight - clock.GetUtcNow() + TimeSpan.FromMinutes(1));
    }

    private async Task<List<JsonElement>> ListAsync(string user, string? period)
    {
        using var http = Http(user, Roles.CallManager);
        return [.. (await GetJsonAsync(http, "/api/ptt/reports" + (period is null ? "" : "?period=" + period))).EnumerateArray()];
    }
}
