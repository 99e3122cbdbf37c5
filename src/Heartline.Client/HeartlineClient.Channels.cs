using System.Text.Json;
using Heartline.Client.Internal;

namespace Heartline.Client;

public sealed partial class HeartlineClient
{
    private readonly Lock _channelsLock = new();
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribing = new(StringComparer.Ordinal);

    /// <summary>Subscribes to a channel, starting with its live publications.</summary>
    /// <inheritdoc cref="SubscribeAsync(string, SubscribeOptions?, CancellationToken)" path="/exception"/>
    public Task<Subscription> SubscribeAsync(string channel, CancellationToken cancellationToken = default) =>
        SubscribeAsync(channel, null, cancellationToken);

    /// <summary>
    /// Subscribes to a channel. The subscription lives until <see cref="UnsubscribeAsync"/>: after a reconnect the
    /// client subscribes again from the last processed position and raises <see cref="Subscription.Resubscribed"/>.
    /// </summary>
    /// <exception cref="HeartlineException">An error reply such as <c>forbidden</c>, <c>invalid_channel</c> or
    /// <c>already_subscribed</c> (also raised by the client itself when this client already holds the channel), or
    /// <see cref="HeartlineException.NotConnected"/>.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="HeartlineClientOptions.RequestTimeout"/>.</exception>
    public async Task<Subscription> SubscribeAsync(string channel, SubscribeOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var connection = RequireConnection();
        var subscription = new Subscription(this, channel, options?.Since);
        if (options?.OnPublication is { } handler) subscription.Publication += handler;
        lock (_channelsLock)
        {
            if (_subscriptions.ContainsKey(channel) || !_subscribing.Add(channel))
                throw new HeartlineException("already_subscribed", $"already subscribed to {channel} / 이미 구독 중입니다");
        }
        try
        {
            // Registered when the reply is handled on the receive loop, so no publication that follows it is missed.
            await connection.RequestAsync("subscribe", w => WriteSubscribeArgs(w, channel, subscription.Position),
                result =>
                {
                    lock (_channelsLock) _subscriptions[channel] = subscription;
                    subscription.Apply(connection, result, renewed: false);
                }, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_channelsLock) _subscribing.Remove(channel);
        }
        return subscription;
    }

    /// <summary>
    /// Ends a subscription: no more publications are delivered and it is not renewed after reconnects. Does nothing
    /// for a channel this client is not subscribed to.
    /// </summary>
    /// <exception cref="TimeoutException">The server did not confirm within <see cref="HeartlineClientOptions.RequestTimeout"/>
    /// (the subscription is ended on this side anyway).</exception>
    public async Task UnsubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        Subscription? subscription;
        lock (_channelsLock) _subscriptions.Remove(channel, out subscription);
        if (subscription is null) return;
        subscription.Deactivate();
        if (Volatile.Read(ref _connection) is not { } connection || State != HeartlineConnectionState.Connected) return;
        try
        {
            await connection.RequestAsync("unsubscribe", w => WriteChannelArgs(w, channel), null, _options.RequestTimeout,
                cancellationToken).ConfigureAwait(false);
        }
        catch (HeartlineException ex) when (ex.Code is "not_subscribed" or HeartlineException.NotConnected)
        {
            // Either way the server no longer sends this channel to this connection.
        }
    }

    /// <summary>
    /// Subscribe commands in flight at once while renewing. Kept below the server's flood threshold (10 refusals), so
    /// even the first <c>rate_limited</c> burst cannot close the socket before the pacer slows down.
    /// </summary>
    private const int RenewWindow = 4;

    /// <summary>Spacing when a <c>rate_limited</c> reply lacks <c>retry_after_ms</c>: one token at the server's default 50/s.</summary>
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromMilliseconds(20);

    /// <summary>Renews, on a new connection, every subscription made on an earlier one.</summary>
    private void Resubscribe(Connection connection)
    {
        Subscription[] renew;
        lock (_channelsLock) renew = [.. _subscriptions.Values.Where(s => s.Connection != connection)];
        if (renew.Length > 0) _ = ResubscribeAllAsync(connection, renew);
    }

    private async Task ResubscribeAllAsync(Connection connection, Subscription[] renew)
    {
        var pacer = new CommandPacer(_time);
        using var window = new SemaphoreSlim(RenewWindow);
        await Task.WhenAll(renew.Select(async subscription =>
        {
            try
            {
                await window.WaitAsync(_lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await ResubscribeAsync(connection, subscription, pacer).ConfigureAwait(false);
            }
            finally
            {
                window.Release();
            }
        })).ConfigureAwait(false);
    }

    private async Task ResubscribeAsync(Connection connection, Subscription subscription, CommandPacer pacer)
    {
        while (true)
        {
            var pacedFor = TimeSpan.Zero;
            try
            {
                pacedFor = await pacer.WaitAsync(_lifetime.Token).ConfigureAwait(false);
                await connection.RequestAsync("subscribe", w => WriteSubscribeArgs(w, subscription.Channel, subscription.Position),
                    result => subscription.Apply(connection, result, renewed: true), _options.RequestTimeout, _lifetime.Token)
                    .ConfigureAwait(false);
                if (!subscription.IsActive) await UnsubscribeQuietlyAsync(connection, subscription.Channel).ConfigureAwait(false);
                return;
            }
            catch (HeartlineException ex) when (ex.Code == "rate_limited")
            {
                pacer.SlowDown(ex.RetryAfter ?? DefaultRetryAfter, pacedFor);
            }
            catch (HeartlineException ex) when (ex.Code is HeartlineException.NotConnected or "already_subscribed")
            {
                // Lost again: the next connection renews it. Already subscribed: a concurrent renewal won.
                return;
            }
            catch (HeartlineException ex)
            {
                lock (_channelsLock)
                {
                    if (_subscriptions.TryGetValue(subscription.Channel, out var current) && current == subscription)
                        _subscriptions.Remove(subscription.Channel);
                }
                subscription.Fail(ex);
                return;
            }
            catch (TimeoutException)
            {
                // A connection that cannot answer a subscribe is not usable: start over on a fresh one.
                connection.Abort("subscribe timed out / 구독 응답 없음");
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task UnsubscribeQuietlyAsync(Connection connection, string channel)
    {
        try
        {
            await connection.RequestAsync("unsubscribe", w => WriteChannelArgs(w, channel), null, _options.RequestTimeout,
                _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException or OperationCanceledException)
        {
        }
    }

    /// <summary>Runs on the receive loop: routes <c>pub</c> to its subscription, then raises <see cref="Push"/>.</summary>
    private void OnPush(string type, JsonElement frame)
    {
        if (type == "pub" && frame.TryGetProperty("channel", out var c) && c.GetString() is { } channel)
        {
            Subscription? subscription;
            lock (_channelsLock) _subscriptions.TryGetValue(channel, out subscription);
            try
            {
                subscription?.OnLive(frame);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // A pub without offset or epoch can't be ordered or de-duplicated: skip it, keep the connection.
            }
        }
        Raise(Push, new PushEventArgs(type, frame));
    }

    private static void WriteSubscribeArgs(Utf8JsonWriter w, string channel, StreamPosition? since)
    {
        w.WriteStartObject();
        w.WriteString("channel", channel);
        if (since is { } position)
        {
            w.WriteStartObject("since");
            w.WriteNumber("offset", position.Offset);
            w.WriteString("epoch", position.Epoch);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteChannelArgs(Utf8JsonWriter w, string channel)
    {
        w.WriteStartObject();
        w.WriteString("channel", channel);
        w.WriteEndObject();
    }
}
