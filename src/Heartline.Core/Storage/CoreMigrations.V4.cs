namespace Heartline.Core.Storage;

internal static partial class CoreMigrations
{
    // The presence sweeper deletes connections ended before a cutoff, a batch at a time; without this index each
    // batch would scan the table. Open rows (ended_at NULL) stay out of it.
    private const string V4Common =
        """
        CREATE INDEX ix_connections_ended ON connections (ended_at) WHERE ended_at IS NOT NULL;
        """;

    private const string V7Common =
        """
        CREATE INDEX ix_connections_open_user ON connections (user_id) WHERE ended_at IS NULL;
        """;

    // A session's events (push-to-talk's drill-down: who joined and left, busy presses), in order, either way.
    private const string V8Common =
        """
        CREATE INDEX ix_events_session_id ON events (session_id, id) WHERE session_id IS NOT NULL;
        """;
}
