using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Client.Qna;

/// <summary>
/// Neighbourhood Q&amp;A (docs/qna.md) on top of a <see cref="HeartlineClient"/>: ask, answer, accept, typing, receipts,
/// location, nearby, settings, notifications, points. The inbox and every open room are channels, so after a
/// reconnect they are recovered (nothing missed); the client then sends the last location again and raises
/// <see cref="Restored"/> with the unread counts. Events are raised on the client's receive loop, in order.
/// </summary>
public sealed class QnaClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HeartlineClient _client;
    private readonly ConcurrentDictionary<string, Subscription> _rooms = new(StringComparer.Ordinal);
    private Subscription? _inbox;
    private (double Lat, double Lng)? _location;

    /// <summary>Creates the Q&amp;A layer of <paramref name="client"/>; call <see cref="StartAsync"/> once it is connected.</summary>
    public QnaClient(HeartlineClient client)
    {
        _client = client;
        _client.Push += OnPush;
        _client.Connected += OnConnected;
    }

    /// <summary>A question nearby, an answer to yours, or your answer accepted.</summary>
    public event EventHandler<QnaNotification>? Notification;

    /// <summary>A question's unread count changed (read on another device, or a new answer).</summary>
    public event EventHandler<QnaUnread>? UnreadChanged;

    /// <summary>Notifications were read on another device (the ids; empty means all).</summary>
    public event EventHandler<string[]>? NotificationsRead;

    /// <summary>Something happened in an open room (answers, acceptance, receipts, closing, typing).</summary>
    public event EventHandler<QnaRoomEvent>? RoomEvent;

    /// <summary>After a reconnect: the location was sent again; these are the unread counts now.</summary>
    public event EventHandler<QnaUnread[]>? Restored;

    /// <summary>Subscribes to the user's inbox (<c>qna:u.{id}</c>); call once after <see cref="HeartlineClient.ConnectAsync"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var id = _client.User?.UserId ?? throw new InvalidOperationException("connect the client first");
        _inbox = await _client.SubscribeAsync("qna:u." + id, cancellationToken).ConfigureAwait(false);
        _inbox.Publication += (_, e) => OnInbox(e.Data);
    }

    /// <summary>Asks a question at a point on Jeju; the tiers start at once.</summary>
    /// <exception cref="HeartlineException"><c>qna_outside_jeju</c>, <c>bad_request</c>, <c>qna_spam</c>, <c>rate_limited</c>.</exception>
    public async Task<QnaQuestion> AskAsync(string body, double lat, double lng, IEnumerable<string>? hashtags = null, bool urgent = false,
        CancellationToken cancellationToken = default) =>
        Read<QnaQuestion>((await _client.RequestAsync("qna.ask", new { body, lat, lng, hashtags = hashtags?.ToArray() ?? [], urgency = urgent ? "urgent" : "normal" },
            cancellationToken).ConfigureAwait(false)).GetProperty("question"));

    /// <summary>Answers a question that is not closed.</summary>
    public async Task<QnaAnswer> AnswerAsync(string questionId, string body, CancellationToken cancellationToken = default) =>
        Read<QnaAnswer>((await _client.RequestAsync("qna.answer", new { question_id = questionId, body }, cancellationToken).ConfigureAwait(false))
            .GetProperty("answer"));

    /// <summary>Accepts an answer (the asker, once); returns the points its author earned.</summary>
    public async Task<long> AcceptAsync(string answerId, CancellationToken cancellationToken = default) =>
        (await _client.RequestAsync("qna.accept", new { answer_id = answerId }, cancellationToken).ConfigureAwait(false)).GetProperty("points").GetInt64();

    /// <summary>Closes a question (the asker or an administrator); its pending tiers stop.</summary>
    public Task CloseQuestionAsync(string questionId, CancellationToken cancellationToken = default) =>
        _client.RequestAsync("qna.close", new { question_id = questionId }, cancellationToken);

    /// <summary>Subscribes to a question's room (events arrive as <see cref="RoomEvent"/>) and returns its state.</summary>
    public async Task<QnaQuestionState> OpenRoomAsync(string questionId, CancellationToken cancellationToken = default)
    {
        var channel = "qna:q." + questionId;
        if (!_rooms.ContainsKey(channel))
        {
            var room = await _client.SubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
            room.Publication += (_, e) => RaiseRoom(questionId, e.Data);
            _rooms[channel] = room;
        }
        return Read<QnaQuestionState>(await _client.RequestAsync("qna.get", new { question_id = questionId }, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Leaves a question's room.</summary>
    public async Task CloseRoomAsync(string questionId, CancellationToken cancellationToken = default)
    {
        if (_rooms.TryRemove("qna:q." + questionId, out var room)) await room.UnsubscribeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Who has a question's room open now (every device of a user counts once; a dropped device stays listed for the
    /// leave grace). Changes arrive on <c>presence:qna:q.{question}</c> for those who subscribe to it.
    /// </summary>
    public async Task<QnaViewer[]> ViewersAsync(string questionId, CancellationToken cancellationToken = default) =>
        Read<QnaViewer[]>((await _client.PresenceAsync("qna:q." + questionId, cancellationToken).ConfigureAwait(false)).GetProperty("users"));

    /// <summary>Typing in a question: <c>true</c> every 2–3 s while typing, <c>false</c> when done (the server ends it 5 s after the last <c>true</c>).</summary>
    public Task TypingAsync(string questionId, bool typing, CancellationToken cancellationToken = default) =>
        _client.RequestAsync("qna.typing", new { question_id = questionId, typing }, cancellationToken);

    /// <summary>How far this device got in a question's answers (read implies delivered); returns the positions as stored.</summary>
    public async Task<(long Delivered, long Read)> ReceiptAsync(string questionId, long? deliveredSeq = null, long? readSeq = null,
        CancellationToken cancellationToken = default)
    {
        var reply = await _client.RequestAsync("qna.receipt", new { question_id = questionId, delivered_seq = deliveredSeq, read_seq = readSeq },
            cancellationToken).ConfigureAwait(false);
        return (reply.GetProperty("delivered_seq").GetInt64(), reply.GetProperty("read_seq").GetInt64());
    }

    /// <summary>Unread answers per question the user asked or answered.</summary>
    public async Task<QnaUnread[]> UnreadAsync(CancellationToken cancellationToken = default) =>
        Read<QnaUnread[]>((await _client.RequestAsync("qna.unread", cancellationToken).ConfigureAwait(false)).GetProperty("questions"));

    /// <summary>Sends the device's location (kept to send again after a reconnect); false when the server kept an earlier one (too soon).</summary>
    public async Task<bool> UpdateLocationAsync(double lat, double lng, CancellationToken cancellationToken = default)
    {
        _location = (lat, lng);
        return (await _client.RequestAsync("qna.location", new { lat, lng }, cancellationToken).ConfigureAwait(false)).GetProperty("stored").GetBoolean();
    }

    /// <summary>Forgets the location here and on the server.</summary>
    public Task ClearLocationAsync(CancellationToken cancellationToken = default)
    {
        _location = null;
        return _client.RequestAsync("qna.location", new { clear = true }, cancellationToken);
    }

    /// <summary>Open questions of the last hour near a point, nearest first (<see cref="QnaQuestion.DistanceM"/> set).</summary>
    public async Task<QnaQuestion[]> NearbyAsync(double lat, double lng, int? radiusM = null, int? limit = null, int? offset = null,
        CancellationToken cancellationToken = default) =>
        Read<QnaQuestion[]>((await _client.RequestAsync("qna.nearby", new { lat, lng, radius_m = radiusM, limit, offset }, cancellationToken)
            .ConfigureAwait(false)).GetProperty("questions"));

    /// <summary>Reads the settings (<paramref name="changes"/> null) or changes some (an object with snake_case fields, docs/qna.md).</summary>
    public Task<JsonElement> SettingsAsync(object? changes = null, CancellationToken cancellationToken = default) =>
        _client.RequestAsync("qna.settings", changes ?? new { }, cancellationToken);

    /// <summary>The notification history, newest first.</summary>
    public async Task<QnaNotification[]> NotificationsAsync(long? before = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var reply = await _client.RequestAsync("qna.notifications", new { before, limit }, cancellationToken).ConfigureAwait(false);
        return [.. reply.GetProperty("items").EnumerateArray().Select(i => Read<QnaNotification>(i.GetProperty("notification")))];
    }

    /// <summary>Marks notifications read (all when <paramref name="ids"/> is null) on every device; returns how many changed.</summary>
    public async Task<long> MarkNotificationsReadAsync(IEnumerable<string>? ids = null, CancellationToken cancellationToken = default) =>
        (await _client.RequestAsync("qna.notifications_read", ids is null ? new { } : new { ids = ids.ToArray() }, cancellationToken)
            .ConfigureAwait(false)).GetProperty("count").GetInt64();

    /// <summary>The user's points balance.</summary>
    public async Task<long> PointsAsync(CancellationToken cancellationToken = default) =>
        (await _client.RequestAsync("qna.points", cancellationToken).ConfigureAwait(false)).GetProperty("points").GetInt64();

    /// <summary>Leaves the inbox and the rooms; the client stays connected.</summary>
    public async ValueTask DisposeAsync()
    {
        _client.Push -= OnPush;
        _client.Connected -= OnConnected;
        foreach (var sub in _rooms.Values.Append(_inbox).OfType<Subscription>().Where(s => s.IsActive))
        {
            try { await sub.UnsubscribeAsync().ConfigureAwait(false); }
            catch (HeartlineException) { }
            catch (InvalidOperationException) { }
        }
    }

    private void OnInbox(JsonElement data)
    {
        switch (data.GetProperty("type").GetString())
        {
            case "notification":
                Notification?.Invoke(this, Read<QnaNotification>(data.GetProperty("notification")));
                break;
            case "unread":
                UnreadChanged?.Invoke(this, new QnaUnread(data.GetProperty("question_id").GetString()!, data.GetProperty("unread").GetInt64()));
                break;
            case "read":
                NotificationsRead?.Invoke(this, Read<string[]>(data.GetProperty("ids")));
                break;
        }
    }

    private void RaiseRoom(string questionId, JsonElement data)
    {
        var e = Read<QnaRoomEvent>(data) with { QuestionId = questionId };
        RoomEvent?.Invoke(this, e);
    }

    private void OnPush(object? sender, PushEventArgs e)
    {
        if (e.Type != "signal" || !e.Frame.TryGetProperty("channel", out var channel)) return;
        var name = channel.GetString()!;
        if (_rooms.ContainsKey(name)) RaiseRoom(name["qna:q.".Length..], e.Frame.GetProperty("data"));
    }

    private void OnConnected(object? sender, ConnectedEventArgs e)
    {
        if (!e.IsReconnect || _inbox is null) return;
        // Off the receive loop: these are requests whose replies arrive on it.
        _ = Task.Run(async () =>
        {
            try
            {
                if (_location is { } here) await _client.RequestAsync("qna.location", new { lat = here.Lat, lng = here.Lng }).ConfigureAwait(false);
                Restored?.Invoke(this, await UnreadAsync().ConfigureAwait(false));
            }
            catch (HeartlineException)
            {
                // Disconnected again: the next reconnect restores.
            }
        });
    }

    private static T Read<T>(JsonElement element) => element.Deserialize<T>(Json)!;
}
