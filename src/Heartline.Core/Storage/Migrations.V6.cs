namespace Heartline.Core.Storage;

internal static partial class Migrations
{
    // The speaker is no participant row, so its ptt.report (token and join latency: the speaker fetches a token and
    // joins the media channel too) had nowhere to go. The session row keeps the speaker's connection, to match the
    // report's sender, and its two figures. Sessions written before this have no speaker connection and no figures.
    private const string V6Common =
        """
        ALTER TABLE ptt_sessions ADD COLUMN speaker_connection_id text NULL;
        ALTER TABLE ptt_sessions ADD COLUMN speaker_token_ms double precision NULL;
        ALTER TABLE ptt_sessions ADD COLUMN speaker_join_ms double precision NULL;
        """;
}
