using Dapper;
using Heartline.Ptt;
using Heartline.Tests.Cluster;
using Heartline.Tests.Infrastructure;
using Heartline.Tests.Ptt;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Heartline.Tests.Storage;

/// <summary>
/// Databases that Heartline ea7b6c9 (global schema versions, office columns, office_floors) left after a day of use and
/// a SIGKILL (Fixtures/make-fixtures.sh) upgrade in place when today's server starts on them: nothing is lost, and
/// what the crash left open is ended as after any crash.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UpgradeTests(PostgresFixture postgres)
{
    private const string Commit = "ea7b6c9";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The epochs of the two floors held at the crash (office_floors of the PostgreSQL fixture).</summary>
    private const long FloorEpochO1 = 1796391472061;
    private const long FloorEpochO2 = 1796391472054;

    [Fact]
    public async Task Sqlite_DatabaseOfTheGlobalNumbering_UpgradesInPlace_EndsWhatTheCrashLeft_AndServes()
    {
        var path = Path.Combine(Path.GetTempPath(), "heartline-tests", Guid.NewGuid().ToString("N"), "heartline.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(RepoRoot.Path, "tests", "Heartline.Tests", "Fixtures", $"heartline-{Commit}.db"), path);

        await using (var server = await HeartlineServer.StartAsync(databasePath: path).WaitAsync(Timeout))
        {
            await using var db = new SqliteConnection($"Data Source={path}");
            AssertUpgraded(db, expectedUserOnline: 4, sessionOfTwoListeners: "s_df3b9b8b643df9c2f85f");
            // The crash left three connections and two sessions on the air: ended as after any crash.
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE ended_at IS NULL"));
            Assert.Equal(3, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE end_reason = 'server_restart'"));
            Assert.Equal(["client_closed"], db.Query<string>("SELECT end_reason FROM connections WHERE user_id = 'u2'"));
            // Its users went offline in their scopes (the crashed process never said so).
            await Eventually.TrueAsync(() => db.ExecuteScalar<long>(
                "SELECT count(*) FROM events WHERE type = 'USER_OFFLINE' AND scope IN ('presence:r1_o1', 'presence:r1_o2')") == 3,
                "the crashed users are recorded offline");

            // The upgraded database serves: the office's floor is free, and a new press is granted and stored.
            await using var speaker = await server.MemberAsync("d1", Roles.CallManager);
            var press = await speaker.PressAsync();
            Assert.True(press.GetProperty("epoch").GetInt64() > FloorEpochO1);
            var admin = server.CreateHttpClient(server.Token("a1", role: Roles.Admin));
            var webinars = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/webinars").WaitAsync(Timeout);
            Assert.Equal("고객 설명회", Assert.Single(webinars.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task Postgres_ClusterDatabaseOfTheGlobalNumbering_UpgradesInPlace_FloorsBecomeLeasesWithTheirEpochs()
    {
        var schema = await postgres.CreateSchemaAsync().WaitAsync(Timeout);
        try
        {
            await using (var load = new NpgsqlConnection(schema))
            {
                await load.OpenAsync().WaitAsync(Timeout);
                var dump = await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "tests", "Heartline.Tests", "Fixtures", $"postgres-{Commit}.sql"));
                await load.ExecuteAsync(dump).WaitAsync(Timeout);
            }
            // The node that crashed comes back: its startup cleanup finds its own leftovers.
            await using var node = await ClusterNodes.StartAsync(schema, "fixture-node").WaitAsync(Timeout);
            await using var db = new NpgsqlConnection(schema);
            AssertUpgraded(db, expectedUserOnline: 4, sessionOfTwoListeners: "s_1ee45b100ae8d0f78fd5");
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('office_floors', 'presence_users')"));
            var leases = db.Query<(string Key, long Epoch, string? Holder)>("SELECT lease_key, epoch, holder_connection FROM leases ORDER BY lease_key").ToList();
            Assert.Equal([("ptt.floor:r1_o1", FloorEpochO1, null), ("ptt.floor:r1_o2", FloorEpochO2, null)], leases);
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE node_id = 'fixture-node' AND ended_at IS NULL"));

            // Fencing goes on from the epochs the floors had.
            await using var speaker = await ClusterNodes.MemberAsync(node.BaseAddress, "x1", office: "o2");
            var press = await speaker.PressAsync();
            Assert.True(press.GetProperty("epoch").GetInt64() > FloorEpochO2);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DropSchemaAsync(schema).WaitAsync(Timeout);
        }
    }

    /// <summary>What every upgraded database has, whatever its engine.</summary>
    private static void AssertUpgraded(System.Data.Common.DbConnection db, int expectedUserOnline, string? sessionOfTwoListeners = null)
    {
        // Members who listened from a session's start moved into its SESSION_STARTED (ptt migration 10), in join order.
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM events WHERE type = 'USER_JOINED' AND metadata LIKE '%\"auto\":\"true\"%'"));
        if (sessionOfTwoListeners is not null)
        {
            var metadata = System.Text.Json.JsonDocument.Parse(db.ExecuteScalar<string>(
                "SELECT metadata FROM events WHERE type = 'SESSION_STARTED' AND session_id = @Id", new { Id = sessionOfTwoListeners })!).RootElement;
            Assert.Equal(["u1", "u2"], System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata.GetProperty("listeners").GetString()!)!);
            Assert.Equal("2", metadata.GetProperty("participants").GetString());
        }
        Assert.Equal(TestSchema.StepCount, db.ExecuteScalar<long>("SELECT count(*) FROM schema_migrations"));
        // The marker keeps a build of the global numbering from starting on this schema.
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM schema_version WHERE version = 1000"));
        // The old rows' office became a claim and a presence scope.
        Assert.Equal(4, db.ExecuteScalar<long>("SELECT count(*) FROM connections WHERE claims LIKE '{\"region\":\"r1\",\"office\":\"o%'"));
        Assert.Equal(4, db.ExecuteScalar<long>("SELECT count(*) FROM connection_scopes"));
        // The event log kept everything; presence events moved to their channel's scope.
        Assert.Equal(expectedUserOnline, db.ExecuteScalar<long>("SELECT count(*) FROM events WHERE type = 'USER_ONLINE' AND scope LIKE 'presence:%'"));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM events WHERE type = 'USER_ONLINE' AND scope NOT LIKE 'presence:%'"));
        Assert.True(db.ExecuteScalar<long>("SELECT count(*) FROM events WHERE type = 'SESSION_STARTED'") >= 3);
        // Sessions: those that ended keep their reasons; those on the air at the crash ended server_restart.
        Assert.Equal(["preempted", "released", "server_restart", "server_restart"],
            db.Query<string>("SELECT end_reason FROM ptt_sessions").Order(StringComparer.Ordinal));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM disconnect_actions"));
        Assert.Equal(2, db.ExecuteScalar<long>("SELECT count(*) FROM webinar_user_sessions"));
    }
}
