namespace Heartline.Qna;

/// <summary>
/// The administrators' dashboard figures (<c>GET /api/qna/admin/overview</c>): open questions, the seed's response
/// rates (answered within 1, 5 and 10 minutes, of the questions asked in the window), each region's mean time to a
/// first answer, the questions waiting longer than <c>Qna:SlowResponseSeconds</c>, and queue depths.
/// </summary>
internal static class Overview
{
    public static async Task<QnaOverview> BuildAsync(QnaStore store, WebPushSender webPush, TimeProvider time, QnaOptions options, int hours,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now.AddHours(-hours).ToUnixTimeMilliseconds();
        var figures = await store.ResponseFiguresAsync(since, cancellationToken).ConfigureAwait(false);
        var regions = await store.RegionFiguresAsync(since, cancellationToken).ConfigureAwait(false);
        var slow = await store.UnansweredAsync(since, now.ToUnixTimeMilliseconds() - options.SlowResponseSeconds * 1000L, 50, cancellationToken)
            .ConfigureAwait(false);
        var open = await store.OpenQuestionsAsync(since, cancellationToken).ConfigureAwait(false);
        var pending = await store.PendingJobsAsync(cancellationToken).ConfigureAwait(false);
        return new QnaOverview(since, open, figures.Asked, figures.Answered, figures.Unanswered, Rate(figures.Within1Min, figures.Asked),
            Rate(figures.Within5Min, figures.Asked), Rate(figures.Within10Min, figures.Asked),
            [.. Jeju.Regions.Select(r => regions.FirstOrDefault(x => x.Region == r.Code) is { } x
                ? new RegionRow(new RegionView(r.Code, r.NameKo, r.NameEn), x.Asked, x.Answered, x.MeanFirstAnswerMs is { } ms ? Math.Round(ms / 1000, 1) : null)
                : new RegionRow(new RegionView(r.Code, r.NameKo, r.NameEn), 0, 0, null))],
            [.. slow.Select(q => QuestionView.Of(q))], pending, webPush.Queued);
    }

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}
