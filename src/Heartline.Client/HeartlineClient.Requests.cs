using System.Text.Json;

namespace Heartline.Client;

public sealed partial class HeartlineClient
{
    /// <summary>Sends a command without arguments and returns its <c>result</c>.</summary>
    /// <exception cref="HeartlineException">An error reply (its <see cref="HeartlineException.Code"/>), or
    /// <see cref="HeartlineException.NotConnected"/> when the client is not connected or the connection was lost.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="HeartlineClientOptions.RequestTimeout"/>.</exception>
    public Task<JsonElement> RequestAsync(string command, CancellationToken cancellationToken = default) =>
        SendAsync(command, null, null, cancellationToken);

    /// <summary>Sends a command whose <c>args</c> is the given JSON object and returns its <c>result</c>.</summary>
    /// <inheritdoc cref="RequestAsync(string, CancellationToken)" path="/exception"/>
    public Task<JsonElement> RequestAsync(string command, JsonElement args, CancellationToken cancellationToken = default) =>
        SendAsync(command, args.ValueKind == JsonValueKind.Undefined ? null : args.WriteTo, null, cancellationToken);

    /// <summary>
    /// Sends a command whose <c>args</c> is <paramref name="args"/> serialized with System.Text.Json (property names in
    /// snake_case, null properties left out) and returns its <c>result</c>.
    /// </summary>
    /// <inheritdoc cref="RequestAsync(string, CancellationToken)" path="/exception"/>
    public Task<JsonElement> RequestAsync(string command, object? args, CancellationToken cancellationToken = default) =>
        SendAsync(command, args is null ? null : w => JsonSerializer.Serialize(w, args, args.GetType(), ArgsOptions), null,
            cancellationToken);

    /// <summary>Publishes <paramref name="data"/> (any JSON value) on a channel and returns its position.</summary>
    /// <inheritdoc cref="RequestAsync(string, CancellationToken)" path="/exception"/>
    public async Task<StreamPosition> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var result = await SendAsync("publish", w =>
        {
            w.WriteStartObject();
            w.WriteString("channel", channel);
            w.WritePropertyName("data");
            if (data.ValueKind == JsonValueKind.Undefined) w.WriteNullValue();
            else data.WriteTo(w);
            w.WriteEndObject();
        }, null, cancellationToken).ConfigureAwait(false);
        return new StreamPosition(result.GetProperty("offset").GetInt64(), result.GetProperty("epoch").GetString()!);
    }

    /// <summary>Publishes <paramref name="data"/> serialized with System.Text.Json (snake_case names) on a channel.</summary>
    /// <inheritdoc cref="RequestAsync(string, CancellationToken)" path="/exception"/>
    public Task<StreamPosition> PublishAsync(string channel, object? data, CancellationToken cancellationToken = default) =>
        PublishAsync(channel, JsonSerializer.SerializeToElement(data, data?.GetType() ?? typeof(object), ArgsOptions), cancellationToken);

    /// <summary>
    /// Who is online in a presence scope (push-to-talk's is an office): the <c>presence</c> result (<c>scope</c>,
    /// <c>office</c>, <c>users</c>). Null <paramref name="office"/> means the connection's first scope (the first of
    /// <see cref="HeartlineUser.Scopes"/>; <c>bad_request</c> when it has none); the module that owns a scope decides who
    /// may watch it, and admins may watch any.
    /// </summary>
    /// <inheritdoc cref="RequestAsync(string, CancellationToken)" path="/exception"/>
    public Task<JsonElement> PresenceAsync(string? office = null, CancellationToken cancellationToken = default) =>
        SendAsync("presence", w =>
        {
            w.WriteStartObject();
            if (office is not null) w.WriteString("office", office);
            w.WriteEndObject();
        }, null, cancellationToken);

    /// <summary>
    /// Queues a binary media frame (for example push-to-talk audio). Completes when it is queued, not when it is
    /// sent; the bytes are copied.
    /// </summary>
    /// <exception cref="HeartlineException"><see cref="HeartlineException.NotConnected"/> while not connected.</exception>
    public Task SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        RequireConnection().SendBinaryAsync(data, cancellationToken);

    private Task<JsonElement> SendAsync(string command, Action<Utf8JsonWriter>? writeArgs, Action<JsonElement>? onResult,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        return RequireConnection().RequestAsync(command, writeArgs, onResult, _options.RequestTimeout, cancellationToken);
    }
}
