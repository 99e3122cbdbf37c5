using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Client.Voip;

/// <summary>A guest as <c>POST /api/voip/guests</c> admitted it: its id and the token to connect with.</summary>
public sealed record VoipGuest(string GuestId, string Name, string Tenant, string Token, long ExpiresAt);

/// <summary>The reply of <c>voip.call</c>: the call's id and state (<c>ringing</c>, or <c>active</c> after glare).</summary>
public sealed record VoipCallReply(string CallId, string State, bool Glare);

/// <summary>A party as call events name it.</summary>
public sealed record VoipParty(string Id, string Name);

/// <summary>
/// One call event of the party's inbox (docs/voip.md): <see cref="Type"/> is <c>incoming</c>, <c>ringing</c>,
/// <c>accepted</c>, <c>signal</c>, <c>reconnecting</c>, <c>reconnected</c> or <c>ended</c>; the other fields are set
/// as the type uses them.
/// </summary>
public sealed record VoipCallEvent(string Type, string CallId)
{
    /// <summary>The caller (<c>incoming</c>) or the sender (<c>signal</c>).</summary>
    public VoipParty? From { get; init; }

    /// <summary>The callee being rung (<c>ringing</c>).</summary>
    public VoipParty? To { get; init; }

    /// <summary><c>audio</c> or <c>video</c>.</summary>
    public string? Media { get; init; }

    /// <summary>The caller's id (<c>accepted</c>, <c>reconnected</c>): the caller makes the offer and restarts ICE.</summary>
    public string? Caller { get; init; }

    /// <summary>The party that dropped or came back (<c>reconnecting</c>, <c>reconnected</c>).</summary>
    public string? Party { get; init; }

    /// <summary>Until when (Unix ms) the dropped party may come back (<c>reconnecting</c>).</summary>
    public long? Deadline { get; init; }

    /// <summary><c>offer</c>, <c>answer</c> or <c>ice</c> (<c>signal</c>).</summary>
    public string? Kind { get; init; }

    /// <summary>What the other party sent (<c>signal</c>).</summary>
    public JsonElement? Data { get; init; }

    /// <summary>Why the call ended (<c>ended</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>How long the call was answered, in ms (<c>ended</c>).</summary>
    public long? DurationMs { get; init; }
}

/// <summary>
/// VoIP guests and call signalling on top of a <see cref="HeartlineClient"/>: admit a guest, listen to its inbox, call,
/// accept, reject, cancel, hang up and relay SDP and ICE (the media itself is the app's WebRTC stack). It answers the
/// server's <c>voip.ping</c> by itself, so the liveness check keeps the guest. Events are raised on the client's
/// receive loop, in order; after a reconnect the inbox is recovered, so no call event is missed.
/// </summary>
public sealed class VoipClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HeartlineClient _client;
    private Subscription? _inbox;

    /// <summary>Creates the VoIP layer of <paramref name="client"/>; call <see cref="StartAsync"/> once it is connected.</summary>
    public VoipClient(HeartlineClient client)
    {
        _client = client;
        _client.Push += OnPush;
    }

    /// <summary>A call event arrived (see <see cref="VoipCallEvent"/>).</summary>
    public event EventHandler<VoipCallEvent>? CallEvent;

    /// <summary>Admits a guest: <c>POST /api/voip/guests</c> on <paramref name="http"/>'s base address.</summary>
    /// <exception cref="HttpRequestException">The server refused (400 bad name, 403 invitation required, 429 rate limited).</exception>
    public static async Task<VoipGuest> AdmitAsync(HttpClient http, string name, string? tenant = null, string? invitation = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.PostAsJsonAsync("/api/voip/guests", new { name, tenant, invitation }, Json, cancellationToken)
            .ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<VoipGuest>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Subscribes to the connected party's inbox (<c>voip:{id}</c>); call once after <see cref="HeartlineClient.ConnectAsync"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var id = _client.User?.UserId ?? throw new InvalidOperationException("connect the client first");
        _inbox = await _client.SubscribeAsync("voip:" + id, cancellationToken).ConfigureAwait(false);
        _inbox.Publication += (_, e) =>
        {
            if (e.Data.Deserialize<VoipCallEvent>(Json) is { } call) CallEvent?.Invoke(this, call);
        };
    }

    /// <summary>Rings <paramref name="to"/> (<c>audio</c> or <c>video</c>).</summary>
    /// <exception cref="HeartlineException"><c>voip_busy</c>, <c>voip_in_call</c>, <c>voip_unreachable</c>, <c>bad_request</c>.</exception>
    public async Task<VoipCallReply> CallAsync(string to, string media = "video", CancellationToken cancellationToken = default) =>
        (await _client.RequestAsync("voip.call", new { to, media }, cancellationToken).ConfigureAwait(false)).Deserialize<VoipCallReply>(Json)!;

    /// <summary>Answers a ringing call (the callee).</summary>
    public Task AcceptAsync(string callId, CancellationToken cancellationToken = default) => OnCall("voip.accept", callId, cancellationToken);

    /// <summary>Refuses a ringing call (the callee).</summary>
    public Task RejectAsync(string callId, CancellationToken cancellationToken = default) => OnCall("voip.reject", callId, cancellationToken);

    /// <summary>Gives up a ringing call (the caller).</summary>
    public Task CancelAsync(string callId, CancellationToken cancellationToken = default) => OnCall("voip.cancel", callId, cancellationToken);

    /// <summary>Ends a call (either party, any state).</summary>
    public Task HangupAsync(string callId, CancellationToken cancellationToken = default) => OnCall("voip.hangup", callId, cancellationToken);

    /// <summary>Relays an SDP offer or answer, or an ICE candidate (<paramref name="kind"/>: <c>offer</c>, <c>answer</c>, <c>ice</c>).</summary>
    public Task SignalAsync(string callId, string kind, object data, CancellationToken cancellationToken = default) =>
        _client.RequestAsync("voip.signal", new { call_id = callId, kind, data }, cancellationToken);

    /// <summary>
    /// A fresh guest token, handed to the open connection at once (the core's <c>refresh</c>: the socket lives on past the
    /// old token's expiry). Return it from the client's token provider for later reconnects.
    /// </summary>
    public async Task<(string Token, long ExpiresAt)> RenewAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _client.RequestAsync("voip.renew", cancellationToken).ConfigureAwait(false);
        var token = reply.GetProperty("token").GetString()!;
        await _client.RequestAsync("refresh", new { token }, cancellationToken).ConfigureAwait(false);
        return (token, reply.GetProperty("expires_at").GetInt64());
    }

    /// <summary>Stops answering pings and leaves the inbox; the client stays connected.</summary>
    public async ValueTask DisposeAsync()
    {
        _client.Push -= OnPush;
        if (_inbox is { IsActive: true } inbox)
        {
            try { await inbox.UnsubscribeAsync().ConfigureAwait(false); }
            catch (HeartlineException) { }
            catch (InvalidOperationException) { }
        }
    }

    private Task<JsonElement> OnCall(string command, string callId, CancellationToken cancellationToken) =>
        _client.RequestAsync(command, new { call_id = callId }, cancellationToken);

    private void OnPush(object? sender, PushEventArgs e)
    {
        if (e.Type != "voip.ping" || !e.Frame.TryGetProperty("seq", out var seq)) return;
        // Answered at once, off the receive loop; a lost pong is only a missed ping (three in a row close the guest).
        _ = _client.RequestAsync("voip.pong", new { seq = seq.GetInt64() }).ContinueWith(static t => _ = t.Exception,
            TaskScheduler.Default);
    }
}
