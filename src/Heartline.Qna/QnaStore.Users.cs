using Dapper;

namespace Heartline.Qna;

internal sealed partial class QnaStore
{
    private const string CandidateColumns =
        """
        u.user_id AS UserId, u.lat AS Lat, u.lng AS Lng, u.notify AS Notify, u.radius_m AS RadiusM, u.quiet_start AS QuietStart,
        u.quiet_end AS QuietEnd, u.topics AS Topics, u.in_app AS InApp, u.push AS Push
        """;

    // Who a tier may still tell: not the asker, not told before, not blocked.
    private const string NotToldYet =
        """
        u.user_id <> @AskerId
        AND NOT EXISTS (SELECT 1 FROM qna_notified n WHERE n.question_id = @QuestionId AND n.user_id = u.user_id)
        AND NOT EXISTS (SELECT 1 FROM qna_blocks b WHERE b.kind = 'user' AND b.value = u.user_id)
        """;

    /// <summary>
    /// Stores a user's last location (rounded to about 100 m), its cell and region; returns the user as stored (with its
    /// settings), or null when the last update is too recent.
    /// </summary>
    public Task<CandidateRow?> SetLocationAsync(string userId, GeoPoint point, string region, long now, long minIntervalMs,
        CancellationToken cancellationToken)
    {
        var (cellY, cellX) = GeoGrid.CellOf(point);
        return database.WriteAsync((c, tx) => c.QuerySingleOrDefaultAsync<CandidateRow>(new CommandDefinition(
            """
            INSERT INTO qna_users (user_id, lat, lng, cell_y, cell_x, region, located_at, updated_at)
            VALUES (@UserId, @Lat, @Lng, @CellY, @CellX, @Region, @Now, @Now)
            ON CONFLICT (user_id) DO UPDATE SET lat = excluded.lat, lng = excluded.lng, cell_y = excluded.cell_y,
                cell_x = excluded.cell_x, region = excluded.region, located_at = excluded.located_at, updated_at = excluded.updated_at
            WHERE qna_users.located_at IS NULL OR qna_users.located_at <= @Now - @MinInterval
            RETURNING user_id AS UserId, lat AS Lat, lng AS Lng, notify AS Notify, radius_m AS RadiusM, quiet_start AS QuietStart,
                quiet_end AS QuietEnd, topics AS Topics, in_app AS InApp, push AS Push
            """, new { UserId = userId, point.Lat, point.Lng, CellY = (long)cellY, CellX = (long)cellX, Region = region, Now = now, MinInterval = minIntervalMs },
            tx, cancellationToken: cancellationToken)), cancellationToken);
    }

    /// <summary>Forgets locations: one user's (<paramref name="userId"/>), or everyone's not updated since <paramref name="before"/>.</summary>
    public Task<int> ForgetLocationsAsync(string? userId, long before, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE qna_users SET lat = NULL, lng = NULL, cell_y = NULL, cell_x = NULL, region = NULL, located_at = NULL
            WHERE located_at IS NOT NULL AND {(userId is null ? "located_at < @Before" : "user_id = @UserId")}
            """, new { UserId = userId, Before = before }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<(UserSettings Settings, string[] Expertise)> SettingsAsync(string userId, CancellationToken cancellationToken)
    {
        return await database.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<CandidateRow>(new CommandDefinition(
                $"SELECT {CandidateColumns} FROM qna_users u WHERE u.user_id = @UserId", new { UserId = userId },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            var expertise = await c.QueryAsync<string>(new CommandDefinition(
                "SELECT tag FROM qna_expertise WHERE user_id = @UserId ORDER BY tag", new { UserId = userId },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return (row?.Settings ?? UserSettings.Default, expertise.ToArray());
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a user's settings and expertise hashtags.</summary>
    public Task SaveSettingsAsync(string userId, UserSettings settings, string[] expertise, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var values = new
            {
                UserId = userId, Notify = settings.Notify ? 1L : 0L, RadiusM = (long)settings.RadiusMeters, settings.QuietStart, settings.QuietEnd,
                Topics = Hashtags.Join(settings.Topics), InApp = settings.InApp ? 1L : 0L, Push = settings.Push ? 1L : 0L, Now = now,
            };
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_users (user_id, notify, radius_m, quiet_start, quiet_end, topics, in_app, push, updated_at)
                VALUES (@UserId, @Notify, @RadiusM, @QuietStart, @QuietEnd, @Topics, @InApp, @Push, @Now)
                ON CONFLICT (user_id) DO UPDATE SET notify = excluded.notify, radius_m = excluded.radius_m, quiet_start = excluded.quiet_start,
                    quiet_end = excluded.quiet_end, topics = excluded.topics, in_app = excluded.in_app, push = excluded.push, updated_at = excluded.updated_at
                """, values, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM qna_expertise WHERE user_id = @UserId", new { UserId = userId }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition("INSERT INTO qna_expertise (user_id, tag) VALUES (@UserId, @Tag)",
                expertise.Select(tag => new { UserId = userId, Tag = tag }), tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>Located users (updated since <paramref name="since"/>) in the grid cells of a circle's bounding box, not told yet.</summary>
    public async Task<IReadOnlyList<CandidateRow>> CandidatesNearAsync(QuestionRow question, double radiusMeters, long since,
        CancellationToken cancellationToken)
    {
        var (minY, maxY, minX, maxX) = GeoGrid.Box(question.Point, radiusMeters);
        return [.. await database.ReadAsync(c => c.QueryAsync<CandidateRow>(new CommandDefinition(
            $"""
            SELECT {CandidateColumns} FROM qna_users u
            WHERE u.cell_y BETWEEN @MinY AND @MaxY AND u.cell_x BETWEEN @MinX AND @MaxX AND u.located_at >= @Since AND {NotToldYet}
            """, new { MinY = (long)minY, MaxY = (long)maxY, MinX = (long)minX, MaxX = (long)maxX, Since = since, AskerId = question.AskerId, QuestionId = question.Id },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Users with one of <paramref name="tags"/> as expertise (located or not), not told yet.</summary>
    public async Task<IReadOnlyList<CandidateRow>> CandidatesByExpertiseAsync(QuestionRow question, string[] tags, CancellationToken cancellationToken)
    {
        if (tags.Length == 0) return [];
        return [.. await database.ReadAsync(c => c.QueryAsync<CandidateRow>(new CommandDefinition(
            $"""
            SELECT {CandidateColumns} FROM qna_users u
            WHERE u.user_id IN (SELECT e.user_id FROM qna_expertise e WHERE e.tag IN @Tags) AND {NotToldYet}
            """, new { Tags = tags, AskerId = question.AskerId, QuestionId = question.Id }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Users last located (since <paramref name="since"/>) in the question's region, not told yet.</summary>
    public async Task<IReadOnlyList<CandidateRow>> CandidatesInRegionAsync(QuestionRow question, long since, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<CandidateRow>(new CommandDefinition(
            $"SELECT {CandidateColumns} FROM qna_users u WHERE u.region = @Region AND u.located_at >= @Since AND {NotToldYet}",
            new { question.Region, Since = since, AskerId = question.AskerId, QuestionId = question.Id },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public async Task<IReadOnlyList<(string Kind, string Value)>> BlocksAsync(CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT kind, value FROM qna_blocks ORDER BY kind, value", cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public Task<int> AddBlockAsync(string kind, string value, string reason, string by, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO qna_blocks (kind, value, reason, created_by, created_at) VALUES (@Kind, @Value, @Reason, @By, @Now)
            ON CONFLICT (kind, value) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at
            """, new { Kind = kind, Value = value, Reason = reason, By = by, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public Task<int> RemoveBlockAsync(string kind, string value, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM qna_blocks WHERE kind = @Kind AND value = @Value", new { Kind = kind, Value = value }, tx,
            cancellationToken: cancellationToken)), cancellationToken);
}
