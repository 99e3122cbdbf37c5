using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Qna;

/// <summary>What adding an answer did: the answer, the question as it was, and whether it was the first one.</summary>
internal sealed record AnswerAdded(AnswerRow Answer, QuestionRow Question, bool First);

/// <summary>Questions, answers, read positions and points on the node's database (one SQL for SQLite and PostgreSQL).</summary>
internal sealed partial class QnaStore(IHeartlineDatabase database)
{
    private const string QuestionColumns =
        """
        id AS Id, asker_id AS AskerId, asker_name AS AskerName, body AS Body, hashtags AS Hashtags, lat AS Lat, lng AS Lng,
        region AS Region, urgency AS Urgency, status AS Status, answer_count AS AnswerCount, created_at AS CreatedAt,
        first_answer_at AS FirstAnswerAt, accepted_answer_id AS AcceptedAnswerId, accepted_at AS AcceptedAt, closed_at AS ClosedAt
        """;

    private const string AnswerColumns =
        "id AS Id, question_id AS QuestionId, seq AS Seq, author_id AS AuthorId, author_name AS AuthorName, body AS Body, created_at AS CreatedAt";

    /// <summary>
    /// Stores a question with its tier jobs, in one transaction (a crash leaves both or neither). Tier 1 is stored claimed
    /// by <paramref name="node"/> until <paramref name="claimedUntil"/>, which runs it at once; if that node dies, the claim
    /// lapses and another node's sweep runs it.
    /// </summary>
    public Task CreateQuestionAsync(QuestionRow question, IReadOnlyList<JobRow> jobs, string node, long claimedUntil, CancellationToken cancellationToken)
    {
        var (cellY, cellX) = GeoGrid.CellOf(question.Point);
        return database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_questions (id, asker_id, asker_name, body, hashtags, lat, lng, cell_y, cell_x, region, urgency, status, created_at)
                VALUES (@Id, @AskerId, @AskerName, @Body, @Hashtags, @Lat, @Lng, @CellY, @CellX, @Region, @Urgency, @Status, @CreatedAt)
                """, new
                {
                    question.Id, question.AskerId, question.AskerName, question.Body, question.Hashtags, question.Lat, question.Lng,
                    CellY = (long)cellY, CellX = (long)cellX, question.Region, question.Urgency, question.Status, question.CreatedAt,
                }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_jobs (id, question_id, tier, due_at, attempts, claimed_by, claimed_until)
                VALUES (@Id, @QuestionId, @Tier, @DueAt, @Attempts, @ClaimedBy, @ClaimedUntil)
                """,
                jobs.Select(j => new
                {
                    j.Id, j.QuestionId, j.Tier, j.DueAt, Attempts = j.Tier == 1 ? 1L : 0L, ClaimedBy = j.Tier == 1 ? node : null,
                    ClaimedUntil = j.Tier == 1 ? claimedUntil : (long?)null,
                }), tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    public Task<QuestionRow?> FindQuestionAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<QuestionRow>(new CommandDefinition(
            $"SELECT {QuestionColumns} FROM qna_questions WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken)),
            cancellationToken);

    public async Task<IReadOnlyList<AnswerRow>> AnswersAsync(string questionId, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<AnswerRow>(new CommandDefinition(
            $"SELECT {AnswerColumns} FROM qna_answers WHERE question_id = @Id ORDER BY seq", new { Id = questionId },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>
    /// Open questions (not closed) whose grid cells meet the box around a point, asked since <paramref name="since"/>;
    /// the caller computes exact distances.
    /// </summary>
    public async Task<IReadOnlyList<QuestionRow>> QuestionsInBoxAsync(GeoPoint centre, double radiusMeters, long since,
        CancellationToken cancellationToken)
    {
        var (minY, maxY, minX, maxX) = GeoGrid.Box(centre, radiusMeters);
        return [.. await database.ReadAsync(c => c.QueryAsync<QuestionRow>(new CommandDefinition(
            $"""
            SELECT {QuestionColumns} FROM qna_questions
            WHERE cell_y BETWEEN @MinY AND @MaxY AND cell_x BETWEEN @MinX AND @MaxX AND created_at >= @Since AND status <> 'closed'
            """, new { MinY = (long)minY, MaxY = (long)maxY, MinX = (long)minX, MaxX = (long)maxX, Since = since },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>
    /// Numbers and stores an answer; the first one marks the question answered and cancels its pending tier jobs (the
    /// tiers widen only until someone answers). Null when the question does not exist; the row tells a closed one.
    /// </summary>
    public Task<AnswerAdded?> AddAnswerAsync(string questionId, string answerId, string authorId, string authorName, string body, long now,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            // The update comes first: it takes the row's write lock, so two answers get consecutive numbers.
            var updated = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE qna_questions SET answer_count = answer_count + 1,
                    status = CASE WHEN status = 'open' THEN 'answered' ELSE status END,
                    first_answer_at = COALESCE(first_answer_at, @Now)
                WHERE id = @Id AND status <> 'closed'
                """, new { Id = questionId, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var question = await c.QuerySingleOrDefaultAsync<QuestionRow>(new CommandDefinition(
                $"SELECT {QuestionColumns} FROM qna_questions WHERE id = @Id", new { Id = questionId }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (question is null) return null;
            if (updated == 0) return new AnswerAdded(null!, question, false);
            var answer = new AnswerRow(answerId, questionId, question.AnswerCount, authorId, authorName, body, now);
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_answers (id, question_id, seq, author_id, author_name, body, created_at)
                VALUES (@Id, @QuestionId, @Seq, @AuthorId, @AuthorName, @Body, @CreatedAt)
                """, answer, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var first = question.AnswerCount == 1;
            if (first) await CancelJobsAsync(c, tx, questionId, now, "answered", cancellationToken).ConfigureAwait(false);
            return new AnswerAdded(answer, question, first);
        }, cancellationToken);

    public Task<AnswerRow?> FindAnswerAsync(string answerId, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<AnswerRow>(new CommandDefinition(
            $"SELECT {AnswerColumns} FROM qna_answers WHERE id = @Id", new { Id = answerId }, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>
    /// Marks <paramref name="answer"/> accepted and credits its author <paramref name="points"/> in the ledger, in one
    /// transaction; false when the question had an accepted answer already (or is closed).
    /// </summary>
    public Task<bool> AcceptAsync(AnswerRow answer, string askerId, int points, string ledgerId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE qna_questions SET status = 'accepted', accepted_answer_id = @AnswerId, accepted_at = @Now
                WHERE id = @QuestionId AND asker_id = @AskerId AND accepted_answer_id IS NULL AND status <> 'closed'
                """, new { AnswerId = answer.Id, answer.QuestionId, AskerId = askerId, Now = now }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (updated == 0) return false;
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_points (id, user_id, delta, reason, question_id, answer_id, created_at)
                VALUES (@Id, @UserId, @Delta, 'accepted_answer', @QuestionId, @AnswerId, @Now)
                """, new { Id = ledgerId, UserId = answer.AuthorId, Delta = (long)points, answer.QuestionId, AnswerId = answer.Id, Now = now },
                tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await CancelJobsAsync(c, tx, answer.QuestionId, now, "accepted", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Closes a question and cancels its pending tier jobs; false when it was closed already.</summary>
    public Task<bool> CloseAsync(string questionId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(new CommandDefinition(
                "UPDATE qna_questions SET status = 'closed', closed_at = @Now WHERE id = @Id AND status <> 'closed'",
                new { Id = questionId, Now = now }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (updated == 0) return false;
            await CancelJobsAsync(c, tx, questionId, now, "closed", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<long> PointsAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS bigint) FROM qna_points WHERE user_id = @UserId", new { UserId = userId },
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Moves a participant's delivered and read positions forward (never back); returns them as stored.</summary>
    public Task<(long Delivered, long Read)> AdvanceReadAsync(string questionId, string userId, long delivered, long read,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO qna_reads (question_id, user_id, delivered_seq, read_seq) VALUES (@QuestionId, @UserId, @Delivered, @Read)
                ON CONFLICT (question_id, user_id) DO UPDATE SET
                    delivered_seq = CASE WHEN excluded.delivered_seq > qna_reads.delivered_seq THEN excluded.delivered_seq ELSE qna_reads.delivered_seq END,
                    read_seq = CASE WHEN excluded.read_seq > qna_reads.read_seq THEN excluded.read_seq ELSE qna_reads.read_seq END
                """, new { QuestionId = questionId, UserId = userId, Delivered = Math.Max(delivered, read), Read = read }, tx,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            var row = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(
                "SELECT delivered_seq, read_seq FROM qna_reads WHERE question_id = @QuestionId AND user_id = @UserId",
                new { QuestionId = questionId, UserId = userId }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row;
        }, cancellationToken);

    /// <summary>Everyone's delivered and read positions in a question.</summary>
    public async Task<IReadOnlyList<(string UserId, long Delivered, long Read)>> ReadsAsync(string questionId, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<(string, long, long)>(new CommandDefinition(
            "SELECT user_id, delivered_seq, read_seq FROM qna_reads WHERE question_id = @Id ORDER BY user_id", new { Id = questionId },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>
    /// Unread answers per question the user takes part in (asked, or answered): answers by others after the user's read
    /// position. Only questions with something unread are listed.
    /// </summary>
    public async Task<IReadOnlyList<(string QuestionId, long Unread)>> UnreadAsync(string userId, string? questionId,
        CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<(string, long)>(new CommandDefinition(
            $"""
            SELECT a.question_id, COUNT(*) FROM qna_answers a
            JOIN qna_questions q ON q.id = a.question_id
            LEFT JOIN qna_reads r ON r.question_id = a.question_id AND r.user_id = @UserId
            WHERE a.author_id <> @UserId AND a.seq > COALESCE(r.read_seq, 0)
              {(questionId is null ? "" : "AND a.question_id = @QuestionId")}
              AND (q.asker_id = @UserId OR EXISTS (SELECT 1 FROM qna_answers m WHERE m.question_id = a.question_id AND m.author_id = @UserId))
            GROUP BY a.question_id ORDER BY a.question_id
            """, new { UserId = userId, QuestionId = questionId }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];

    /// <summary>The users taking part in a question (the asker and everyone who answered), to tell of unread changes.</summary>
    public async Task<IReadOnlyList<string>> ParticipantsAsync(string questionId, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT asker_id FROM qna_questions WHERE id = @Id
            UNION SELECT author_id FROM qna_answers WHERE question_id = @Id
            """, new { Id = questionId }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];
}
