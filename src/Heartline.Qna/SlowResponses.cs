using System.Net.Http.Json;
using Heartline.Core.Channels;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>A slow response, as administrators are told of it (channel <c>qna:admin</c>, and the webhook).</summary>
internal sealed record SlowResponseAlert(string Type, QuestionView Question, long WaitedMs, long At);

/// <summary>
/// Every 30 s: questions still unanswered <c>Qna:SlowResponseSeconds</c> (10 minutes) after they were asked are taken
/// (one UPDATE marks them, so each is reported once in a cluster), published as <c>slow_response</c> on
/// <c>qna:admin</c> (administrators' dashboard) and posted to <c>Qna:SlowResponseWebhookUrl</c> when set.
/// </summary>
internal sealed partial class SlowResponses(QnaStore store, IChannels channels, IHttpClientFactory http, TimeProvider time,
    IOptions<QnaOptions> options, ILogger<SlowResponses> logger) : ISweeper
{
    public const string AdminChannel = "qna:admin";

    public string Name => "qna-slow-responses";

    public TimeSpan Period => TimeSpan.FromSeconds(30);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var slow = await store.TakeSlowAsync(now - options.Value.SlowResponseSeconds * 1000L, now, cancellationToken).ConfigureAwait(false);
        foreach (var question in slow)
        {
            var alert = new SlowResponseAlert("slow_response", QuestionView.Of(question), now - question.CreatedAt, now);
            channels.Publish(AdminChannel, alert, QnaJson.Default.SlowResponseAlert);
            await PostAsync(alert, cancellationToken).ConfigureAwait(false);
        }
        return slow.Count;
    }

    private async Task PostAsync(SlowResponseAlert alert, CancellationToken cancellationToken)
    {
        if (options.Value.SlowResponseWebhookUrl is not { Length: > 0 } url) return;
        try
        {
            using var client = http.CreateClient(nameof(SlowResponses));
            using var response = await client.PostAsJsonAsync(url, alert, QnaJson.Default.SlowResponseAlert, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) Log.WebhookRefused(logger, (int)response.StatusCode, alert.Question.Id);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The alert is on the admin channel and in the dashboard's list either way.
            Log.WebhookFailed(logger, ex, alert.Question.Id);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9121, LogLevel.Warning, "The slow-response webhook answered {Status} for question {QuestionId}.")]
        public static partial void WebhookRefused(ILogger logger, int status, string questionId);

        [LoggerMessage(9122, LogLevel.Warning, "The slow-response webhook could not be reached for question {QuestionId}.")]
        public static partial void WebhookFailed(ILogger logger, Exception exception, string questionId);
    }
}
