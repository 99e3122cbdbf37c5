using System.Text;
using Dapper;

namespace Heartline.Core.Events;

internal sealed partial class SqlEventLog
{
    /// <summary>Largest page a query returns, whatever it asks for.</summary>
    internal const int MaxPageSize = 1_000;

    public async Task<EventPage> QueryAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, MaxPageSize);

        // Only the filters in use are added, so each combination gets a plan that can use its index.
        var sql = new StringBuilder(
            """
            SELECT id AS Id, type AS Type, scope AS Scope, session_id AS SessionId, user_id AS UserId,
                   time AS Time, metadata AS Metadata
            FROM events
            WHERE 1 = 1
            """);
        if (query.Scope is not null)
            sql.Append(" AND scope = @Scope");
        if (query.Type is not null)
            sql.Append(" AND type = @Type");
        if (query.SessionId is not null)
            sql.Append(" AND session_id = @SessionId");
        if (query.From is not null)
            sql.Append(" AND time >= @From");
        if (query.To is not null)
            sql.Append(" AND time < @To");
        if (query.AfterId is not null)
            sql.Append(" AND id > @AfterId");
        if (query.BeforeId is not null)
            sql.Append(" AND id < @BeforeId");
        // One row past the page tells whether another page exists. Both engines walk an index backwards as cheaply
        // as forwards; ix_events_scope_id serves an office's events either way.
        sql.Append(query.Descending ? " ORDER BY id DESC LIMIT @Take" : " ORDER BY id LIMIT @Take");

        var command = new CommandDefinition(
            sql.ToString(),
            new { query.Scope, query.Type, query.SessionId, query.From, query.To, query.AfterId, query.BeforeId, Take = limit + 1 },
            cancellationToken: cancellationToken);
        var rows = (await _database.ReadAsync(c => c.QueryAsync<EventRecord>(command), cancellationToken)
            .ConfigureAwait(false)).AsList();

        if (rows.Count <= limit)
            return new EventPage(rows, null);
        rows.RemoveAt(limit);
        return query.Descending ? new EventPage(rows, null, rows[^1].Id) : new EventPage(rows, rows[^1].Id);
    }
}
