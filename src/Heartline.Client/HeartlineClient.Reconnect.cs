using System.Text.Json;
using Heartline.Client.Internal;

namespace Heartline.Client;

public sealed partial class HeartlineClient
{
    /// <summary>
    /// Owns the connections after the first: waits for the current one to end, reports it, then reconnects with
    /// backoff until it succeeds, the server refuses the token, or the client is disposed.
    /// </summary>
    private async Task RunAsync(Connection connection)
    {
        while (true)
        {
            Resubscribe(connection);
            CloseInfo close;
            try
            {
                close = await connection.Completion.WaitAsync(_lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                close = await connection.Completion.ConfigureAwait(false);
            }
            Volatile.Write(ref _connection, null);
            await connection.DisposeAsync().ConfigureAwait(false);
            if (_lifetime.IsCancellationRequested)
            {
                SetState(HeartlineConnectionState.Closed);
                Raise(Disconnected, new DisconnectedEventArgs(close.Code, close.Reason, willReconnect: false));
                return;
            }
            SetState(close.IsTerminal ? HeartlineConnectionState.Closed : HeartlineConnectionState.Disconnected);
            Raise(Disconnected, new DisconnectedEventArgs(close.Code, close.Reason, willReconnect: !close.IsTerminal));
            if (close.IsTerminal) return;
            _backoff.OnConnectionEnded(connection.Uptime);
            if (await ReconnectAsync().ConfigureAwait(false) is not { } next) return;
            connection = next;
        }
    }

    /// <summary>Retries with backoff; null when the client was disposed or the server refused the token.</summary>
    private async Task<Connection?> ReconnectAsync()
    {
        TimeSpan? retryAfter = null;
        while (true)
        {
            var delay = _backoff.Next();
            if (retryAfter > delay) delay = retryAfter.Value;
            try
            {
                await Task.Delay(delay, _time, _lifetime.Token).ConfigureAwait(false);
                return await OpenAsync(_lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                SetState(HeartlineConnectionState.Closed);
                return null;
            }
            catch (HeartlineException ex) when (ex.Code == "unauthorized")
            {
                // The server closes such a socket with 4500: new credentials are needed, retrying cannot help.
                SetState(HeartlineConnectionState.Closed);
                Raise(Disconnected, new DisconnectedEventArgs(4500, ex.Message, willReconnect: false));
                return null;
            }
            catch (Exception ex)
            {
                // Anything else (network, 429, token_expired with a token provider that may refresh, a failing
                // token provider) is worth another attempt.
                retryAfter = (ex as HeartlineException)?.RetryAfter;
                SetState(HeartlineConnectionState.Disconnected);
            }
        }
    }

    /// <summary>Opens a socket and completes <c>connect</c>, all within the request timeout.</summary>
    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        SetState(HeartlineConnectionState.Connecting);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Connection? connection = null;
        try
        {
            var token = await _options.TokenProvider!(linked.Token).ConfigureAwait(false);
#pragma warning disable CA2000 // Returned to the caller, or disposed below when connect fails.
            connection = await Connection.OpenAsync(_options.Uri!, _time, OnPush, OnBinary, linked.Token).ConfigureAwait(false);
#pragma warning restore CA2000
            var opened = connection;
            await connection.RequestAsync("connect", w => WriteConnectArgs(w, token), result => OnConnectReply(opened, result),
                _options.RequestTimeout, linked.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                Interlocked.CompareExchange(ref _connection, null, connection);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            if (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                throw new TimeoutException("connect timed out / 연결 시간 초과", ex);
            throw;
        }
    }

    private void WriteConnectArgs(Utf8JsonWriter w, string token)
    {
        w.WriteStartObject();
        w.WriteString("token", token);
        if (_options.ClientName is { } client) w.WriteString("client", client);
        if (_options.Device is { } device) w.WriteString("device", device);
        if (_options.AppType is { } appType) w.WriteString("app_type", appType);
        w.WriteEndObject();
    }

    /// <summary>Runs on the receive loop, so <see cref="Connected"/> precedes every push of the new connection.</summary>
    private void OnConnectReply(Connection connection, JsonElement result)
    {
        var user = ReadUser(result);
        var connectionId = result.GetProperty("connection_id").GetString()!;
        var nodeId = result.TryGetProperty("node_id", out var n) ? n.GetString() ?? "" : "";
        var ping = _options.PingInterval ?? TimeSpan.FromMilliseconds(result.GetProperty("ping_interval_ms").GetInt64());
        connection.StartPing(ping, _options.RequestTimeout);
        if (result.TryGetProperty("token_expires_at", out var expires) && expires.TryGetInt64(out var expiresAt))
            _ = RefreshLoopAsync(connection, expiresAt);
        User = user;
        ConnectionId = connectionId;
        Volatile.Write(ref _connection, connection);
        SetState(HeartlineConnectionState.Connected);
        var isReconnect = _connectedBefore;
        _connectedBefore = true;
        Raise(Connected, new ConnectedEventArgs(connectionId, nodeId, user, isReconnect));
    }

    /// <summary>
    /// The identity of a <c>connect</c> reply. Only <c>user_id</c> and <c>role</c> are required: the office fields are
    /// push-to-talk's and absent when the token names no office, and what an older server did not send yet gets the
    /// meaning it had there (roles: the role alone; kind: guest for the guest role, else user; scopes: the office).
    /// </summary>
    internal static HeartlineUser ReadUser(JsonElement result)
    {
        var u = result.GetProperty("user");
        var userId = u.GetProperty("user_id").GetString()!;
        var role = u.GetProperty("role").GetString()!;
        var roles = Strings(u, "roles") is { Count: > 0 } list ? list : [role];
        var regionId = Text(u, "region_id");
        var officeId = Text(u, "office_id");
        var office = Text(u, "office");
        return new HeartlineUser(userId, Text(u, "name") ?? userId, role, regionId, officeId, office)
        {
            Roles = roles,
            Kind = Text(u, "kind") ?? (roles.Contains("guest", StringComparer.Ordinal) ? HeartlineUserKinds.Guest : HeartlineUserKinds.User),
            Tenant = Text(u, "tenant"),
            Scopes = Strings(result, "scopes") ?? (office is null ? [] : [office]),
        };

        static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        static IReadOnlyList<string>? Strings(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array) return null;
            var items = new List<string>(value.GetArrayLength());
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) items.Add(item.GetString()!);
            }
            return items.AsReadOnly();
        }
    }

    private void OnBinary(ReadOnlyMemory<byte> data) => Raise(BinaryReceived, new BinaryReceivedEventArgs(data));
}
