using Heartline.Core.Storage;

namespace Heartline.Qna;

/// <summary>The Q&amp;A module's schema (docs/qna.md).</summary>
internal static class QnaMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "questions, answers, locations, tier jobs, notifications, points", V1, V1),
        new(2, "Web Push subscriptions", V2, V2),
        new(3, "slow-response alerts: when a question unanswered for 10 minutes was reported", V3, V3),
        new(4, "question notifications are their qna_notified row (id, read state), not a payload row each", V4, V4),
    ];

    // A tier may tell thousands of users of one question: each gets a small row here (its notification id and read
    // state), and the history rebuilds the notification from the question when it is listed. Rows written before
    // this step keep their qna_notifications copy; their qna_notified rows get no id and are not listed twice.
    private const string V4 =
        """
        ALTER TABLE qna_notified ADD COLUMN notification_id text NULL;
        ALTER TABLE qna_notified ADD COLUMN read_at bigint NULL;
        CREATE INDEX ix_qna_notified_user ON qna_notified (user_id, created_at) WHERE notification_id IS NOT NULL;
        """;

    private const string V3 =
        """
        ALTER TABLE qna_questions ADD COLUMN slow_alerted_at bigint NULL;
        CREATE INDEX ix_qna_questions_unanswered ON qna_questions (created_at) WHERE first_answer_at IS NULL AND slow_alerted_at IS NULL;
        """;

    // A browser's push subscription (RFC 8030 endpoint with its RFC 8291 keys), for notifications while not connected.
    private const string V2 =
        """
        CREATE TABLE qna_push_subscriptions (
            endpoint text PRIMARY KEY,
            user_id text NOT NULL,
            p256dh text NOT NULL,
            auth text NOT NULL,
            created_at bigint NOT NULL,
            last_sent_at bigint NULL,
            failures bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_qna_push_user ON qna_push_subscriptions (user_id);
        """;

    // Same DDL on both engines: ids are text, times bigint Unix milliseconds, coordinates double precision.
    private const string V1 =
        """
        -- A user of the service as far as Q&A keeps anything: the last location (opt-in: set by qna.location, forgotten
        -- after Qna:LocationRetentionHours), its grid cell and region, and the notification settings.
        CREATE TABLE qna_users (
            user_id text PRIMARY KEY,
            lat double precision NULL,
            lng double precision NULL,
            cell_y bigint NULL,
            cell_x bigint NULL,
            region text NULL,
            located_at bigint NULL,
            notify bigint NOT NULL DEFAULT 1,
            radius_m bigint NOT NULL DEFAULT 100000,
            quiet_start text NULL,
            quiet_end text NULL,
            topics text NULL,
            in_app bigint NOT NULL DEFAULT 1,
            push bigint NOT NULL DEFAULT 1,
            updated_at bigint NOT NULL
        );
        CREATE INDEX ix_qna_users_cell ON qna_users (cell_y, cell_x);
        CREATE INDEX ix_qna_users_region ON qna_users (region);

        CREATE TABLE qna_expertise (
            user_id text NOT NULL,
            tag text NOT NULL,
            PRIMARY KEY (user_id, tag)
        );
        CREATE INDEX ix_qna_expertise_tag ON qna_expertise (tag);

        -- status: open, answered (has answers), accepted (one accepted), closed (by the asker or an administrator).
        CREATE TABLE qna_questions (
            id text PRIMARY KEY,
            asker_id text NOT NULL,
            asker_name text NOT NULL,
            body text NOT NULL,
            hashtags text NOT NULL,
            lat double precision NOT NULL,
            lng double precision NOT NULL,
            cell_y bigint NOT NULL,
            cell_x bigint NOT NULL,
            region text NOT NULL,
            urgency text NOT NULL,
            status text NOT NULL,
            answer_count bigint NOT NULL DEFAULT 0,
            created_at bigint NOT NULL,
            first_answer_at bigint NULL,
            accepted_answer_id text NULL,
            accepted_at bigint NULL,
            closed_at bigint NULL
        );
        CREATE INDEX ix_qna_questions_cell ON qna_questions (cell_y, cell_x, created_at);
        CREATE INDEX ix_qna_questions_created ON qna_questions (created_at);
        CREATE INDEX ix_qna_questions_asker ON qna_questions (asker_id);

        -- seq numbers a question's answers from 1, in the order they were stored (receipts and unread counts use it).
        CREATE TABLE qna_answers (
            id text PRIMARY KEY,
            question_id text NOT NULL,
            seq bigint NOT NULL,
            author_id text NOT NULL,
            author_name text NOT NULL,
            body text NOT NULL,
            created_at bigint NOT NULL,
            UNIQUE (question_id, seq)
        );
        CREATE INDEX ix_qna_answers_author ON qna_answers (author_id);

        -- How far each participant's devices got in a question's answers: delivered and read, by seq.
        CREATE TABLE qna_reads (
            question_id text NOT NULL,
            user_id text NOT NULL,
            delivered_seq bigint NOT NULL,
            read_seq bigint NOT NULL,
            PRIMARY KEY (question_id, user_id)
        );
        CREATE INDEX ix_qna_reads_user ON qna_reads (user_id);

        -- The points ledger: one row per award, never updated; a balance is the sum. (answer_id, reason) makes an award once.
        CREATE TABLE qna_points (
            id text PRIMARY KEY,
            user_id text NOT NULL,
            delta bigint NOT NULL,
            reason text NOT NULL,
            question_id text NULL,
            answer_id text NULL,
            created_at bigint NOT NULL,
            UNIQUE (answer_id, reason)
        );
        CREATE INDEX ix_qna_points_user ON qna_points (user_id);

        -- Who was told of a question, by which tier: the key makes "nobody told twice" hold across retries and nodes.
        CREATE TABLE qna_notified (
            question_id text NOT NULL,
            user_id text NOT NULL,
            tier bigint NOT NULL,
            distance_m bigint NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (question_id, user_id)
        );

        -- A user's notification history with its read state (what the inbox channel delivered live).
        CREATE TABLE qna_notifications (
            id text PRIMARY KEY,
            user_id text NOT NULL,
            kind text NOT NULL,
            question_id text NULL,
            priority text NOT NULL,
            payload text NOT NULL,
            created_at bigint NOT NULL,
            read_at bigint NULL
        );
        CREATE INDEX ix_qna_notifications_user ON qna_notifications (user_id, created_at);

        -- Tier jobs: durable, claimed by one node at a time (claimed_until), retried with backoff, cancelled by the first answer.
        CREATE TABLE qna_jobs (
            id text PRIMARY KEY,
            question_id text NOT NULL,
            tier bigint NOT NULL,
            due_at bigint NOT NULL,
            attempts bigint NOT NULL DEFAULT 0,
            claimed_by text NULL,
            claimed_until bigint NULL,
            done_at bigint NULL,
            outcome text NULL
        );
        CREATE INDEX ix_qna_jobs_due ON qna_jobs (done_at, due_at);
        CREATE INDEX ix_qna_jobs_question ON qna_jobs (question_id);

        -- The administrators' blocklist: kind user or address.
        CREATE TABLE qna_blocks (
            kind text NOT NULL,
            value text NOT NULL,
            reason text NOT NULL,
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (kind, value)
        );
        """;
}
