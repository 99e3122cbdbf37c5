namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // GET /api/ptt/events pages one office's events by id, newest first or oldest first. Without this index SQLite
    // walks the whole primary key and filters by scope (an office with few events scans every row), and PostgreSQL
    // does the same or sorts the office's events; (scope, id) is read in either direction and stops at the page.
    private const string V3Common =
        """
        CREATE INDEX ix_events_scope_id ON events (scope, id);
        """;
}
