using Dapper;

namespace Heartline.Qna;

/// <summary>Response-time figures of the questions asked since a time (the seed's 10-minute goal).</summary>
internal sealed record ResponseFigures(long Asked, long Within1Min, long Within5Min, long Within10Min, long Answered, long Unanswered);

/// <summary>One region's questions and mean time to a first answer (ms; null when none was answered).</summary>
internal sealed record RegionFigures(string Region, long Asked, long Answered, double? MeanFirstAnswerMs);

internal sealed partial class QnaStore
{
    public Task<ResponseFigures> ResponseFiguresAsync(long since, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleAsync<ResponseFigures>(new CommandDefinition(
            """
            SELECT COUNT(*) AS Asked,
                COALESCE(SUM(CASE WHEN first_answer_at - created_at <= 60000 THEN 1 ELSE 0 END), 0) AS Within1Min,
                COALESCE(SUM(CASE WHEN first_answer_at - created_at <= 300000 THEN 1 ELSE 0 END), 0) AS Within5Min,
                COALESCE(SUM(CASE WHEN first_answer_at - created_at <= 600000 THEN 1 ELSE 0 END), 0) AS Within10Min,
                COALESCE(SUM(CASE WHEN first_answer_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS Answered,
                COALESCE(SUM(CASE WHEN first_answer_at IS NULL AND status <> 'closed' THEN 1 ELSE 0 END), 0) AS Unanswered
            FROM qna_questions WHERE created_at >= @Since
            """, new { Since = since }, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<IReadOnlyList<RegionFigures>> RegionFiguresAsync(long since, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<RegionFigures>(new CommandDefinition(
            """
            SELECT region AS Region, COUNT(*) AS Asked, COALESCE(SUM(CASE WHEN first_answer_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS Answered,
                CAST(AVG(first_answer_at - created_at) AS double precision) AS MeanFirstAnswerMs
            FROM qna_questions WHERE created_at >= @Since GROUP BY region ORDER BY region
            """, new { Since = since }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>Questions not closed and still without an answer, asked at or before <paramref name="before"/>, oldest first.</summary>
    public async Task<IReadOnlyList<QuestionRow>> UnansweredAsync(long since, long before, int limit, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<QuestionRow>(new CommandDefinition(
            $"""
            SELECT {QuestionColumns} FROM qna_questions
            WHERE first_answer_at IS NULL AND status <> 'closed' AND created_at >= @Since AND created_at <= @Before
            ORDER BY created_at LIMIT @Limit
            """, new { Since = since, Before = before, Limit = (long)limit }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    public Task<long> OpenQuestionsAsync(long since, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM qna_questions WHERE status IN ('open', 'answered') AND created_at >= @Since", new { Since = since },
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Marks the questions unanswered since <paramref name="cutoff"/> (and not alerted yet) as alerted and returns them:
    /// one UPDATE, so each is reported once whichever node's sweep gets there.
    /// </summary>
    public async Task<IReadOnlyList<QuestionRow>> TakeSlowAsync(long cutoff, long now, CancellationToken cancellationToken) =>
        [.. await database.WriteAsync((c, tx) => c.QueryAsync<QuestionRow>(new CommandDefinition(
            $"""
            UPDATE qna_questions SET slow_alerted_at = @Now
            WHERE first_answer_at IS NULL AND slow_alerted_at IS NULL AND status <> 'closed' AND created_at <= @Cutoff
            RETURNING {QuestionColumns}
            """, new { Cutoff = cutoff, Now = now }, tx, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];
}
