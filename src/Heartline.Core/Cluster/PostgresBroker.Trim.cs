using Dapper;
using Heartline.Core.Channels;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

internal sealed partial class PostgresBroker
{
    private const long TrimLockKey = 0x484C_5452_494D_4C47; // "HLTRIMLG"

    /// <summary>
    /// Trims the shared log to the channel history settings (<c>Channels:HistorySize</c>, <c>Channels:HistoryTtlSeconds</c>),
    /// but never below <c>Cluster:LogRetentionSeconds</c>, so a node that lags a moment still finds what it has to
    /// deliver. One node trims at a time (an advisory lock); the others skip the round. Returns the publications removed.
    /// </summary>
    public Task<int> TrimAsync(CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(@Key)",
                    new { Key = TrimLockKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                return 0;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            return await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM channel_publications p USING channel_heads h
                WHERE h.channel = p.channel AND p.time < @RetentionCutoff
                  AND (p.pub_offset <= h.last_offset - @HistorySize OR p.time < @TtlCutoff)
                """, new
                {
                    RetentionCutoff = now - options.Value.LogRetentionSeconds * 1000L,
                    TtlCutoff = now - channels.Value.HistoryTtlSeconds * 1000L,
                    channels.Value.HistorySize,
                }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);
}
