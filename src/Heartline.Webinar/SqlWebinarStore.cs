using System.Data.Common;
using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Webinar;

/// <summary><see cref="IWebinarStore"/> on the node's database (same SQL on SQLite and PostgreSQL).</summary>
internal sealed partial class SqlWebinarStore(IHeartlineDatabase database, ILogger<SqlWebinarStore> logger) : IWebinarStore
{
    private const string WebinarColumns =
        """
        id AS Id, title AS Title, webinar_start_time AS WebinarStartTime,
        webinar_scheduled_end_time AS WebinarScheduledEndTime, webinar_actual_end_time AS WebinarActualEndTime,
        post_window_minutes AS PostWindowMinutes, agency_id AS AgencyId, client_id AS ClientId,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public Task CreateWebinarAsync(WebinarRecord webinar, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webinars (id, title, webinar_start_time, webinar_scheduled_end_time, webinar_actual_end_time,
                                  post_window_minutes, agency_id, client_id, created_at, updated_at)
            VALUES (@Id, @Title, @WebinarStartTime, @WebinarScheduledEndTime, @WebinarActualEndTime,
                    @PostWindowMinutes, @AgencyId, @ClientId, @CreatedAt, @UpdatedAt)
            """, webinar, tx, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<bool> DeleteWebinarAsync(string id, CancellationToken cancellationToken = default) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            // Children first, so that SQLite (whose foreign keys may be off) and PostgreSQL leave the same state.
            """
            DELETE FROM webinar_live_presence WHERE webinar_id = @id;
            DELETE FROM webinar_user_sessions WHERE webinar_id = @id;
            DELETE FROM webinars WHERE id = @id;
            """, new { id }, tx, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false) > 0;

    public Task<WebinarRecord?> GetWebinarAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => SelectWebinarAsync(c, null, id, cancellationToken), cancellationToken);

    public async Task<bool> UpdateWebinarAsync(WebinarRecord webinar, long expectedUpdatedAt,
        CancellationToken cancellationToken = default) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webinars
            SET title = @Title, webinar_start_time = @WebinarStartTime,
                webinar_scheduled_end_time = @WebinarScheduledEndTime,
                webinar_actual_end_time = @WebinarActualEndTime, post_window_minutes = @PostWindowMinutes,
                agency_id = @AgencyId, client_id = @ClientId, updated_at = @UpdatedAt
            WHERE id = @Id AND updated_at = @ExpectedUpdatedAt
            """, new
            {
                webinar.Id, webinar.Title, webinar.WebinarStartTime, webinar.WebinarScheduledEndTime,
                webinar.WebinarActualEndTime, webinar.PostWindowMinutes, webinar.AgencyId, webinar.ClientId,
                webinar.UpdatedAt, ExpectedUpdatedAt = expectedUpdatedAt,
            }, tx, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false) > 0;

    public async Task<IReadOnlyList<WebinarRecord>> ListWebinarsAsync(int limit, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QueryAsync<WebinarRecord>(new CommandDefinition(
            $"""
            SELECT {WebinarColumns}
            FROM webinars
            ORDER BY webinar_start_time DESC, id
            LIMIT @Limit
            """, new { Limit = limit }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)).AsList();

    public async Task<IReadOnlyList<WebinarRecord>> ListAgencyWebinarsAsync(string agencyId, int limit, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QueryAsync<WebinarRecord>(new CommandDefinition(
            $"""
            SELECT {WebinarColumns}
            FROM webinars
            WHERE agency_id = @AgencyId
            ORDER BY webinar_start_time DESC, id
            LIMIT @Limit
            """, new { AgencyId = agencyId, Limit = limit }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)).AsList();

    public async Task<IReadOnlyList<string>> WebinarsOfUserAsync(string userId, int limit, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT webinar_id FROM webinar_user_sessions WHERE user_id = @UserId
            GROUP BY webinar_id ORDER BY MAX(entered_at) DESC LIMIT @Limit
            """, new { UserId = userId, Limit = limit }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)).AsList();

    public Task<int> CountLiveViewersAsync(string webinarId, long seenSince, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT COUNT(DISTINCT viewer_key)
            FROM webinar_live_presence
            WHERE webinar_id = @WebinarId AND last_seen_at >= @SeenSince
            """, new { WebinarId = webinarId, SeenSince = seenSince }, cancellationToken: cancellationToken)),
            cancellationToken);

    internal static Task<WebinarRecord?> SelectWebinarAsync(DbConnection connection, DbTransaction? transaction,
        string id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<WebinarRecord>(new CommandDefinition(
            $"""
            SELECT {WebinarColumns}
            FROM webinars
            WHERE id = @Id
            """, new { Id = id }, transaction, cancellationToken: cancellationToken));
}
