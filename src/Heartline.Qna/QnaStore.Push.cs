using Dapper;

namespace Heartline.Qna;

/// <summary>A stored push subscription.</summary>
internal sealed record PushSubscriptionRow(string Endpoint, string UserId, string P256dh, string Auth);

internal sealed partial class QnaStore
{
    /// <summary>Registers (or moves to this user) a subscription; false when the user has <paramref name="max"/> already.</summary>
    public Task<bool> AddPushSubscriptionAsync(PushSubscriptionRow row, int max, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var count = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM qna_push_subscriptions WHERE user_id = @UserId AND endpoint <> @Endpoint", row, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (count >= max) return false;
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES (@Endpoint, @UserId, @P256dh, @Auth, @Now)
                ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
                    created_at = excluded.created_at, failures = 0
                """, new { row.Endpoint, row.UserId, row.P256dh, row.Auth, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<int> RemovePushSubscriptionAsync(string endpoint, string? userId, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM qna_push_subscriptions WHERE endpoint = @Endpoint {(userId is null ? "" : "AND user_id = @UserId")}",
            new { Endpoint = endpoint, UserId = userId }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<IReadOnlyList<PushSubscriptionRow>> PushSubscriptionsAsync(string userId, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<PushSubscriptionRow>(new CommandDefinition(
            "SELECT endpoint AS Endpoint, user_id AS UserId, p256dh AS P256dh, auth AS Auth FROM qna_push_subscriptions WHERE user_id = @UserId",
            new { UserId = userId }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public Task PushResultAsync(string endpoint, bool sent, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            sent ? "UPDATE qna_push_subscriptions SET last_sent_at = @Now, failures = 0 WHERE endpoint = @Endpoint"
                : "UPDATE qna_push_subscriptions SET failures = failures + 1 WHERE endpoint = @Endpoint",
            new { Endpoint = endpoint, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken);
}
