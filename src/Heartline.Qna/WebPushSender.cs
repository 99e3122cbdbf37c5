using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Heartline.Core.Auth;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>What a push service carries to a user's browser: small (a push message holds about 4 KB), codes, no prose.</summary>
internal sealed record WebPushPayload(string Id, string Kind, string Priority, string Sound, string Vibration, string QuestionId, string Preview,
    string Urgency, string Region, int? Tier, long? DistanceM, long? Points, string Url);

/// <summary>
/// Sends notifications by Web Push to users who are not connected: a bounded queue drained by one background loop (the
/// library's <see cref="PushServiceClient"/> encrypts per RFC 8291 and signs with VAPID). A subscription the push
/// service says is gone (404, 410) is removed; other failures are counted. The notification history keeps everything,
/// so a message dropped here (a full queue, a push service down) is still in the user's list.
/// </summary>
internal sealed partial class WebPushSender : BackgroundService
{
    private readonly Channel<(string UserId, WebPushPayload Payload)> _queue;
    private readonly QnaStore _store;
    private readonly PushServiceClient _client;
    private readonly WebPushOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebPushSender> _logger;
    private long _sent, _failed, _dropped;

    public WebPushSender(QnaStore store, IHttpClientFactory http, IOptions<WebPushOptions> options, ISecretKeys secrets, TimeProvider time,
        ILogger<WebPushSender> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<(string, WebPushPayload)>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        (PublicKey, var privateKey) = Keys(_options, secrets);
        _client = new PushServiceClient(http.CreateClient(nameof(WebPushSender)))
        {
            DefaultAuthentication = new VapidAuthentication(PublicKey, privateKey) { Subject = _options.Subject },
            DefaultTimeToLive = _options.TimeToLiveSeconds,
            AutoRetryAfter = false,
        };
    }

    /// <summary>The VAPID public key (base64url, uncompressed P-256) browsers subscribe with (<c>applicationServerKey</c>).</summary>
    public string PublicKey { get; }

    public bool Enabled => _options.Enabled;

    /// <summary>Messages waiting to be sent.</summary>
    public long Queued => _queue.Reader.CanCount ? _queue.Reader.Count : 0;

    public (long Sent, long Failed, long Dropped) Counts => (Interlocked.Read(ref _sent), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped));

    public void Enqueue(string userId, NotificationView view)
    {
        var q = view.Question;
        var payload = new WebPushPayload(view.Id, view.Kind, view.Priority, view.Sound, view.Vibration, q.Id,
            Preview(view.Answer?.Body ?? q.Body), q.Urgency, q.Region.Code, view.Tier, view.DistanceM, view.Points, "/qna/#q/" + q.Id);
        if (_queue.Writer.TryWrite((userId, payload))) return;
        Interlocked.Increment(ref _dropped);
        Log.Dropped(_logger, userId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (userId, payload) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SendAsync(userId, payload, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failed);
                Log.Failed(_logger, ex, userId);
            }
        }
    }

    private async Task SendAsync(string userId, WebPushPayload payload, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(payload, QnaJson.Default.WebPushPayload);
        foreach (var row in await _store.PushSubscriptionsAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            var subscription = new PushSubscription { Endpoint = row.Endpoint };
            subscription.SetKey(PushEncryptionKeyName.P256DH, row.P256dh);
            subscription.SetKey(PushEncryptionKeyName.Auth, row.Auth);
            var message = new PushMessage(json)
            {
                Urgency = payload.Priority switch
                {
                    Priorities.Critical or Priorities.High => PushMessageUrgency.High,
                    Priorities.Low => PushMessageUrgency.Low,
                    _ => PushMessageUrgency.Normal,
                },
            };
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                await _client.RequestPushMessageDeliveryAsync(subscription, message, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                await _store.PushResultAsync(row.Endpoint, sent: true, now, CancellationToken.None).ConfigureAwait(false);
            }
            catch (PushServiceClientException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                Log.Gone(_logger, userId, (int)ex.StatusCode);
                await _store.RemovePushSubscriptionAsync(row.Endpoint, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PushServiceClientException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failed);
                Log.Failed(_logger, ex, userId);
                await _store.PushResultAsync(row.Endpoint, sent: false, now, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The configured key pair, or one derived from the server's signing key (a P-256 private scalar from HMAC output).</summary>
    private static (string Public, string Private) Keys(WebPushOptions options, ISecretKeys secrets)
    {
        if (options.PublicKey is { Length: > 0 } configuredPublic && options.PrivateKey is { Length: > 0 } configuredPrivate)
            return (configuredPublic, configuredPrivate);
        for (var round = 0; ; round++)
        {
            var d = secrets.Derive("qna.webpush.vapid." + round);
            try
            {
                using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
                var q = key.ExportParameters(false).Q;
                return (WebEncoders.Base64UrlEncode([0x04, .. q.X!, .. q.Y!]), WebEncoders.Base64UrlEncode(d));
            }
            catch (CryptographicException) when (round < 8)
            {
                // The 32 bytes were not a valid scalar (at or above the curve's order: odds about 2^-32): derive again.
            }
        }
    }

    private static string Preview(string text) => text.Length <= 120 ? text : text[..(char.IsHighSurrogate(text[119]) ? 119 : 120)];

    private static partial class Log
    {
        [LoggerMessage(9111, LogLevel.Warning, "The Web Push queue is full; a notification for {UserId} stays in the history only.")]
        public static partial void Dropped(ILogger logger, string userId);

        [LoggerMessage(9112, LogLevel.Warning, "A Web Push delivery for {UserId} failed.")]
        public static partial void Failed(ILogger logger, Exception exception, string userId);

        [LoggerMessage(9113, LogLevel.Information, "A push service answered {Status} for a subscription of {UserId}: removed.")]
        public static partial void Gone(ILogger logger, string userId, int status);
    }
}
