using System.Data.Common;
using Dapper;

namespace Heartline.Qna;

/// <summary>A user a tier tells: who, how far from the question (null when unknown) and by which channels.</summary>
internal sealed record Recipient(string UserId, double? DistanceMeters, bool InApp, bool Push);

internal sealed partial class QnaStore
{
    private const string JobColumns = "id AS Id, question_id AS QuestionId, tier AS Tier, due_at AS DueAt, attempts AS Attempts";

    /// <summary>Jobs due at <paramref name="now"/> that nobody holds (never claimed, or the claim lapsed), oldest first.</summary>
    public async Task<IReadOnlyList<JobRow>> DueJobsAsync(long now, int limit, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<JobRow>(new CommandDefinition(
            $"""
            SELECT {JobColumns} FROM qna_jobs
            WHERE done_at IS NULL AND due_at <= @Now AND (claimed_until IS NULL OR claimed_until < @Now)
            ORDER BY due_at LIMIT @Limit
            """, new { Now = now, Limit = (long)limit }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>Takes a due job for <paramref name="node"/> until <paramref name="until"/>; false when another node has it or it is done.</summary>
    public async Task<bool> ClaimJobAsync(string jobId, string node, long now, long until, CancellationToken cancellationToken) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE qna_jobs SET claimed_by = @Node, claimed_until = @Until, attempts = attempts + 1
            WHERE id = @Id AND done_at IS NULL AND due_at <= @Now AND (claimed_until IS NULL OR claimed_until < @Now)
            """, new { Id = jobId, Node = node, Now = now, Until = until }, tx, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false) == 1;

    public Task FinishJobAsync(string jobId, string node, string outcome, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE qna_jobs SET done_at = @Now, outcome = @Outcome, claimed_until = NULL WHERE id = @Id AND claimed_by = @Node AND done_at IS NULL",
            new { Id = jobId, Node = node, Outcome = outcome, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Releases a failed attempt to run again at <paramref name="dueAt"/>.</summary>
    public Task RetryJobAsync(string jobId, string node, long dueAt, string error, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE qna_jobs SET due_at = @DueAt, claimed_by = NULL, claimed_until = NULL, outcome = @Error WHERE id = @Id AND claimed_by = @Node AND done_at IS NULL",
            new { Id = jobId, Node = node, DueAt = dueAt, Error = error }, tx, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<IReadOnlyList<(long Tier, long? DoneAt, string? Outcome, long Attempts)>> JobsOfAsync(string questionId,
        CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<(long, long?, string?, long)>(new CommandDefinition(
            "SELECT tier, done_at, outcome, attempts FROM qna_jobs WHERE question_id = @Id ORDER BY tier", new { Id = questionId },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public Task<long> PendingJobsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM qna_jobs WHERE done_at IS NULL", cancellationToken: cancellationToken)), cancellationToken);

    private static Task<int> CancelJobsAsync(DbConnection c, DbTransaction tx, string questionId, long now, string why,
        CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition(
            // A job running now (claimed, the claim not lapsed) finishes on its own: it sees the answer when it reads the question.
            """
            UPDATE qna_jobs SET done_at = @Now, outcome = @Outcome
            WHERE question_id = @Id AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < @Now)
            """,
            new { Id = questionId, Now = now, Outcome = "cancelled: " + why }, tx, cancellationToken: cancellationToken));

    /// <summary>
    /// Records that each of <paramref name="recipients"/> was told of the question by <paramref name="tier"/> (the row is
    /// also the notification in their history, with its id and read state), in one transaction; returns those not told before (a retried job or another
    /// node's tier may have told some already: the key on (question, user) makes each user told once).
    /// </summary>
    public Task<IReadOnlyList<Recipient>> MarkNotifiedAsync(string questionId, int tier, IReadOnlyList<Recipient> recipients,
        Func<Recipient, string> notificationId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<Recipient>>(async (c, tx) =>
        {
            // Multi-row statements of up to RowsPerStatement rows: a tier may tell thousands, each statement is one round trip.
            var fresh = new List<Recipient>(recipients.Count);
            foreach (var chunk in recipients.Chunk(RowsPerStatement))
            {
                var parameters = new DynamicParameters(new { QuestionId = questionId, Tier = (long)tier, Now = now });
                var values = new System.Text.StringBuilder();
                for (var i = 0; i < chunk.Length; i++)
                {
                    values.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@QuestionId, @U{i}, @Tier, @D{i}, @Now, @N{i})");
                    parameters.Add("U" + i, chunk[i].UserId);
                    parameters.Add("N" + i, notificationId(chunk[i]));
                    parameters.Add("D" + i, chunk[i].DistanceMeters is { } d ? (long?)Math.Round(d) : null, System.Data.DbType.Int64);
                }
                var inserted = (await c.QueryAsync<string>(new CommandDefinition(
                    $"INSERT INTO qna_notified (question_id, user_id, tier, distance_m, created_at, notification_id) VALUES {values} ON CONFLICT (question_id, user_id) DO NOTHING RETURNING user_id",
                    parameters, tx, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                fresh.AddRange(chunk.Where(r => inserted.Contains(r.UserId)));
            }
            return fresh;
        }, cancellationToken);

    private const int RowsPerStatement = 500;

    private static Task<int> InsertNotificationsAsync(DbConnection c, DbTransaction tx, NotificationRow[] rows, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var values = new System.Text.StringBuilder();
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            values.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@Id{i}, @User{i}, @Kind{i}, @Question{i}, @Priority{i}, @Payload{i}, @At{i})");
            parameters.Add("Id" + i, r.Id);
            parameters.Add("User" + i, r.UserId);
            parameters.Add("Kind" + i, r.Kind);
            parameters.Add("Question" + i, r.QuestionId);
            parameters.Add("Priority" + i, r.Priority);
            parameters.Add("Payload" + i, r.Payload);
            parameters.Add("At" + i, r.CreatedAt);
        }
        return c.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO qna_notifications (id, user_id, kind, question_id, priority, payload, created_at) VALUES {values}",
            parameters, tx, cancellationToken: cancellationToken));
    }

    /// <summary>The users told of a question, with their tier, in the order they were told.</summary>
    public async Task<IReadOnlyList<(string UserId, long Tier)>> NotifiedAsync(string questionId, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<(string, long)>(new CommandDefinition(
            "SELECT user_id, tier FROM qna_notified WHERE question_id = @Id ORDER BY created_at, user_id", new { Id = questionId },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public Task AddNotificationAsync(NotificationRow row, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => InsertNotificationsAsync(c, tx, [row], cancellationToken), cancellationToken);

    /// <summary>
    /// A user's history, newest first: answers and acceptances (a payload row each) and questions a tier told the user
    /// of (their <c>qna_notified</c> row: <see cref="HistoryRow.Payload"/> is null, the caller rebuilds it from the question).
    /// </summary>
    public async Task<IReadOnlyList<HistoryRow>> NotificationsAsync(string userId, long? before, int limit, CancellationToken cancellationToken)
    {
        var older = before is null ? "" : "AND created_at < @Before";
        return [.. await database.ReadAsync(c => c.QueryAsync<HistoryRow>(new CommandDefinition(
            $"""
            SELECT Id, Kind, QuestionId, Priority, Payload, CreatedAt, ReadAt, Tier, DistanceM FROM (
                SELECT id AS Id, kind AS Kind, question_id AS QuestionId, priority AS Priority, payload AS Payload, created_at AS CreatedAt,
                    read_at AS ReadAt, CAST(NULL AS bigint) AS Tier, CAST(NULL AS bigint) AS DistanceM
                FROM qna_notifications WHERE user_id = @UserId {older}
                UNION ALL
                SELECT notification_id, 'question', question_id, CAST(NULL AS text), CAST(NULL AS text), created_at, read_at, tier, distance_m
                FROM qna_notified WHERE user_id = @UserId AND notification_id IS NOT NULL {older}
            ) history
            ORDER BY CreatedAt DESC, Id DESC LIMIT @Limit
            """, new { UserId = userId, Before = before, Limit = (long)limit }, cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false)];
    }

    public async Task<IReadOnlyList<QuestionRow>> QuestionsAsync(IEnumerable<string> ids, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<QuestionRow>(new CommandDefinition(
            $"SELECT {QuestionColumns} FROM qna_questions WHERE id IN @Ids", new { Ids = ids.Distinct().ToArray() },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>Marks notifications read (the given ids, or all when null); returns how many changed.</summary>
    public Task<int> MarkNotificationsReadAsync(string userId, string[]? ids, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var which = ids is null ? "" : "IN @Ids";
            var parameters = new { UserId = userId, Ids = ids, Now = now };
            var answers = await c.ExecuteAsync(new CommandDefinition(
                $"UPDATE qna_notifications SET read_at = @Now WHERE user_id = @UserId AND read_at IS NULL {(ids is null ? "" : "AND id " + which)}",
                parameters, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var questions = await c.ExecuteAsync(new CommandDefinition(
                $"UPDATE qna_notified SET read_at = @Now WHERE user_id = @UserId AND read_at IS NULL AND notification_id IS NOT NULL {(ids is null ? "" : "AND notification_id " + which)}",
                parameters, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return answers + questions;
        }, cancellationToken);

    public Task<long> UnreadNotificationsAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM qna_notifications WHERE user_id = @UserId AND read_at IS NULL)
                 + (SELECT COUNT(*) FROM qna_notified WHERE user_id = @UserId AND read_at IS NULL AND notification_id IS NOT NULL)
            """, new { UserId = userId }, cancellationToken: cancellationToken)), cancellationToken);
}
