using System.CommandLine;
using System.Net.WebSockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using Heartline.Client;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline watch</c>: subscribes to a channel with the SDK and prints each publication as one JSON line on
/// stdout (status on stderr), reconnecting and recovering like any SDK client.
/// </summary>
internal static class WatchCommand
{
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var channel = new Argument<string>("channel") { Description = "Channel name, e.g. office:r1_o1." };
        var server = ServerOption.Create();
        var token = new Option<string?>("--token") { Description = "Token to connect with." };
        var mint = new DevTokenOptions(required: false, defaultRole: "viewer");
        var count = new Option<int?>("--count") { Description = "Exit 0 after this many publications." };
        var timeout = new Option<double?>("--timeout") { Description = "Stop after this many seconds (exit 1 if --count was not reached)." };
        var sinceOffset = new Option<long?>("--since-offset") { Description = "Resume after this offset (with --since-epoch)." };
        var sinceEpoch = new Option<string?>("--since-epoch") { Description = "Epoch of --since-offset." };

        var command = new Command("watch", "Print a channel's publications as JSON lines / 채널 발행 내용을 JSON 줄로 출력")
        {
            channel, server, token,
        };
        foreach (var option in mint.All) command.Options.Add(option);
        foreach (var option in new Option[] { count, timeout, sinceOffset, sinceEpoch }) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(token) is null)
            {
                if (result.GetValue(mint.User) is null) result.AddError(Texts.TokenOrUser);
                else mint.Validate(result);
            }
            else if (mint.AnyGiven(result))
            {
                result.AddError(Texts.MintOptionsWithToken);
            }
            if (result.GetValue(sinceOffset).HasValue != (result.GetValue(sinceEpoch) is not null))
                result.AddError(Texts.SinceBoth);
            if (result.GetValue(count) is < 1) result.AddError("--count must be at least 1 / --count는 1 이상이어야 합니다");
            if (result.GetValue(timeout) is <= 0) result.AddError("--timeout must be positive / --timeout은 0보다 커야 합니다");
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var serverUri = ServerOption.Get(parseResult, server);
            var fixedToken = parseResult.GetValue(token);
            Func<CancellationToken, ValueTask<string>> tokenProvider = fixedToken is not null
                ? _ => ValueTask.FromResult(fixedToken)
                // Minting again on every reconnect keeps a long watch alive past the token's lifetime.
                : async ct => await DevTokens.MintAsync(serverUri, mint.Request(parseResult, null), ct);
            StreamPosition? since = parseResult.GetValue(sinceOffset) is { } offset
                ? new StreamPosition(offset, parseResult.GetValue(sinceEpoch)!) : null;
            var seconds = parseResult.GetValue(timeout);
            return RunAsync(new Settings(serverUri, parseResult.GetValue(channel)!, tokenProvider, since, parseResult.GetValue(count),
                seconds is { } s ? TimeSpan.FromSeconds(s) : null),
                TextWriter.Synchronized(parseResult.InvocationConfiguration.Output),
                TextWriter.Synchronized(parseResult.InvocationConfiguration.Error), cancellationToken);
        });
        return command;
    }

    private sealed record Settings(Uri Server, string Channel, Func<CancellationToken, ValueTask<string>> TokenProvider,
        StreamPosition? Since, int? Count, TimeSpan? Timeout);

    private static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        await using var client = new HeartlineClient(new HeartlineClientOptions
        {
            Uri = ServerOption.WebSocketUri(settings.Server),
            TokenProvider = settings.TokenProvider,
            ClientName = "heartline-cli/1",
            AppType = "cli",
        });
        client.Connected += (_, e) =>
            error.WriteLine($"{Texts.Connected}: {e.User.UserId} ({string.Join(',', e.User.Roles)}, {e.User.Kind}, {e.ConnectionId})");
        client.Disconnected += (_, e) =>
        {
            error.WriteLine($"{Texts.Disconnected}: {e.CloseCode} {e.Reason}".TrimEnd());
            if (e.WillReconnect) error.WriteLine(Texts.Reconnecting);
            else done.TrySetResult(ExitCodes.Failure);
        };
        void OnPublication(object? sender, PublicationEventArgs e)
        {
            output.WriteLine(FormatLine(e));
            if (settings.Count is { } count && Interlocked.Increment(ref received) == count) done.TrySetResult(ExitCodes.Ok);
        }

        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HeartlineException or WebSocketException or TimeoutException or CliFailure or HttpRequestException)
        {
            await error.WriteLineAsync($"{Texts.ConnectionFailed}: {Describe(ex)}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        Subscription subscription;
        try
        {
            subscription = await client.SubscribeAsync(settings.Channel,
                new SubscribeOptions { Since = settings.Since, OnPublication = OnPublication }, cancellationToken);
        }
        catch (Exception ex) when (ex is HeartlineException or TimeoutException)
        {
            await error.WriteLineAsync($"{Texts.SubscribeFailed}: {Describe(ex)}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        var recovery = settings.Since is null ? "" : subscription.Recovered ? $", {Texts.Recovered}" : $", {Texts.NotRecovered}";
        await error.WriteLineAsync($"{Texts.Subscribed}: {settings.Channel} (offset {subscription.Offset}, epoch {subscription.Epoch}{recovery})");
        subscription.Resubscribed += (_, e) => error.WriteLine(e.Error is { } failure
            ? $"{Texts.SubscribeFailed}: {failure.Code}: {failure.Message}"
            : $"{(e.Recovered ? Texts.Recovered : Texts.NotRecovered)} (offset {e.Position.Offset}, epoch {e.Position.Epoch})");

        try
        {
            var finished = settings.Timeout is { } limit
                ? await done.Task.WaitAsync(limit, cancellationToken)
                : await done.Task.WaitAsync(cancellationToken);
            if (finished == ExitCodes.Failure) await error.WriteLineAsync(Texts.GaveUp);
            return finished;
        }
        catch (TimeoutException)
        {
            // A bounded watch without --count simply ends; with --count it fell short.
            if (settings.Count is null) return ExitCodes.Ok;
            await error.WriteLineAsync($"{Texts.TimedOut}: {received}/{settings.Count}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    private static string FormatLine(PublicationEventArgs e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, LineOptions))
        {
            w.WriteStartObject();
            w.WriteString("channel", e.Channel);
            w.WriteNumber("offset", e.Offset);
            w.WriteString("epoch", e.Epoch);
            w.WriteNumber("time", e.Time);
            w.WritePropertyName("data");
            e.Data.WriteTo(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Describe(Exception ex) => ex is HeartlineException h ? $"{h.Code}: {h.Message}" : ex.Message;
}
