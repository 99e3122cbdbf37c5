using System.Net;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Events;
using Heartline.Ptt;
using Heartline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Ptt;

/// <summary>GET /api/ptt/events oldest first (the default) and newest first (<c>order=desc</c>, cursor <c>before</c>).</summary>
public abstract class PttEventsOrderTests : PttServerTest
{
    private static readonly string[] Types = [PttEventTypes.SessionStarted, PttEventTypes.UserJoined, PttEventTypes.SessionEnded];

    /// <summary>
    /// Stores <paramref name="count"/> events of r1_o1 (times 1..count) with one of r1_o2 after each, and returns the
    /// ids of r1_o1's, oldest first.
    /// </summary>
    private async Task<List<long>> SeedAsync(int count)
    {
        var log = Server.Services.GetRequiredService<IEventLog>();
        for (var i = 1; i <= count; i++)
        {
            await log.AppendAsync(new EventRecord(0, Types[i % Types.Length], "r1_o1", "s_" + i, "drv1", i, null)).WaitAsync(Timeout);
            await log.AppendAsync(new EventRecord(0, Types[i % Types.Length], "r1_o2", "x_" + i, "x1", i, null)).WaitAsync(Timeout);
        }
        using var admin = Http("boss", Roles.Admin, "hq");
        var all = await GetJsonAsync(admin, "/api/ptt/events?office=r1_o1&limit=1000");
        return [.. Items(all).Select(e => e.GetProperty("id").GetInt64())];
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Events_OrderDesc_ReturnsTheOfficesEventsNewestFirst()
    {
        var ids = await SeedAsync(6);
        using var http = Http("drv1");

        var page = await GetJsonAsync(http, "/api/ptt/events?order=desc&limit=100");

        var items = Items(page);
        Assert.Equal(Enumerable.Reverse(ids), items.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal([6L, 5L, 4L, 3L, 2L, 1L], items.Select(e => e.GetProperty("time").GetInt64()));
        Assert.All(items, e => Assert.Equal("r1_o1", e.GetProperty("scope").GetString()));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_before").ValueKind);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_after").ValueKind);
    }

    [Fact]
    public async Task Events_OrderDesc_PagingWithBefore_VisitsEveryEventExactlyOnce()
    {
        var ids = await SeedAsync(25);
        using var http = Http("drv1");

        var seen = new List<long>();
        var pages = 0;
        var path = "/api/ptt/events?order=desc&limit=4";
        while (true)
        {
            var page = await GetJsonAsync(http, path);
            pages++;
            seen.AddRange(Items(page).Select(e => e.GetProperty("id").GetInt64()));
            // Present on every page, null on the last (docs/protocol.md 10.4).
            var next = page.GetProperty("next_before");
            if (next.ValueKind == JsonValueKind.Null || pages >= 20) break;
            Assert.Equal(seen[^1], next.GetInt64());
            path = $"/api/ptt/events?order=desc&limit=4&before={next.GetInt64()}";
        }

        Assert.Equal(7, pages);
        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Events_DefaultOrder_IsOldestFirstWithNextAfter_AsBefore()
    {
        var ids = await SeedAsync(5);
        using var http = Http("drv1");

        var implicitAsc = await GetJsonAsync(http, "/api/ptt/events?limit=3");
        var explicitAsc = await GetJsonAsync(http, "/api/ptt/events?order=asc&limit=3");
        var next = await GetJsonAsync(http, $"/api/ptt/events?limit=3&after={implicitAsc.GetProperty("next_after").GetInt64()}");

        Assert.Equal(ids[..3], Items(implicitAsc).Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(implicitAsc.GetRawText(), explicitAsc.GetRawText());
        Assert.Equal(ids[2], implicitAsc.GetProperty("next_after").GetInt64());
        Assert.Equal(JsonValueKind.Null, implicitAsc.GetProperty("next_before").ValueKind);
        Assert.Equal(ids[3..], Items(next).Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, next.GetProperty("next_after").ValueKind);
    }

    [Theory]
    [InlineData("newest")]
    [InlineData("DESC")]
    [InlineData("")]
    public async Task Events_InvalidOrder_Is400BadRequestProblem(string order)
    {
        using var http = Http("drv1");

        using var response = await http.GetAsync($"/api/ptt/events?order={order}").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
        Assert.Equal("bad_request", problem.GetProperty("code").GetString());
        Assert.Contains("order", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Events_OrderDesc_KeepsOfficeScoping()
    {
        await SeedAsync(3);
        using var member = Http("drv1");
        using var admin = Http("boss", Roles.Admin, "hq");

        var other = await member.GetAsync("/api/ptt/events?office=r1_o2&order=desc").WaitAsync(Timeout);
        var adminView = await GetJsonAsync(admin, "/api/ptt/events?office=r1_o2&order=desc");

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(["x_3", "x_2", "x_1"], Items(adminView).Select(e => e.GetProperty("session_id").GetString()));
    }
}

public sealed class SqlitePttEventsOrderTests : PttEventsOrderTests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresPttEventsOrderTests(PostgresFixture postgres) : PttEventsOrderTests
{
    private string _schema = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        _schema = await postgres.CreateSchemaAsync();
        return new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = _schema };
    }

    protected override Task CleanUpAsync() => _schema.Length == 0 ? Task.CompletedTask : postgres.DropSchemaAsync(_schema);
}
