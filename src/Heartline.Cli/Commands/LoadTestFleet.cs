using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;

namespace Heartline.Cli.Commands;

/// <summary>
/// The connections of a run: per office an optional speaker (<c>call_manager</c>) and M members, each connected,
/// subscribed to <c>ptt:{office}</c> like the SDKs do, and closed again at the end. Failures are counted by kind,
/// never thrown.
/// </summary>
internal sealed class LoadTestFleet(LoadTestSettings settings, LoadTestProgress progress) : IAsyncDisposable
{
    // One connection pool for every socket of the fleet; the invoker owns the handler.
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { ConnectTimeout = settings.Timeout, UseProxy = false });
    private readonly Lock _lock = new();
    private readonly List<LoadTestClient> _all = [];

    public ConcurrentDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public LoadTestHistogram ConnectLatency { get; } = new();

    /// <summary>Per office, its speaker (null when the scenario has none or it failed to connect).</summary>
    public LoadTestClient?[] Speakers { get; } = new LoadTestClient?[settings.Offices];

    /// <summary>Per office, its connected members.</summary>
    public List<LoadTestClient>[] Members { get; } = [.. Enumerable.Range(0, settings.Offices).Select(_ => new List<LoadTestClient>())];

    public int Count
    {
        get { lock (_lock) return _all.Count; }
    }

    public void Error(string kind) => Errors.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    /// <summary>Connects every office's speaker (when <paramref name="withSpeakers"/>) and members; <paramref name="configure"/> sets callbacks first.</summary>
    public async Task<ConnectSummary> ConnectAsync(bool withSpeakers, string memberRole, Action<LoadTestClient> configure,
        CancellationToken cancellationToken)
    {
        var specs = new List<(int Office, int Index, string Role)>();
        for (var office = 0; office < settings.Offices; office++)
        {
            if (withSpeakers) specs.Add((office, LoadTestClient.SpeakerIndex, "call_manager"));
            for (var i = 0; i < settings.Listeners; i++) specs.Add((office, i, memberRole));
        }
        using var tokens = new LoadTestTokens(settings);
        var minted = new string?[specs.Count];
        progress.Stage("tokens", specs.Count);
        await Parallel.ForAsync(0, specs.Count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (office, index, role) = specs[i];
                try
                {
                    minted[i] = await tokens.MintAsync(UserId(office, index), role, settings.OfficeId(office), ct).ConfigureAwait(false);
                }
                catch (CliFailure)
                {
                    Error("token_refused");
                }
                progress.Advance();
            }).ConfigureAwait(false);

        progress.Stage("connect", specs.Count);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0, specs.Count,
            new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (office, index, _) = specs[i];
                if (minted[i] is { } token) await ConnectOneAsync(office, index, token, configure, ct).ConfigureAwait(false);
                progress.Advance();
            }).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ConnectSummary(specs.Count, Count, specs.Count - Count, Math.Round(seconds, 2), ConnectLatency.Summarize());
    }

    private string UserId(int office, int index) =>
        $"lt-{settings.OfficeId(office)}-" + (index == LoadTestClient.SpeakerIndex ? "s" : "m" + index);

    private async Task ConnectOneAsync(int office, int index, string token, Action<LoadTestClient> configure, CancellationToken cancellationToken)
    {
#pragma warning disable CA2000 // Kept by the fleet (disposed with it) or disposed below when the connect fails.
        var client = new LoadTestClient(office, index);
#pragma warning restore CA2000
        configure(client);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await client.OpenAsync(settings.WebSocketUri, _invoker, timeout.Token).ConfigureAwait(false);
            var connect = await client.RequestAsync("connect",
                $"{{\"token\":\"{token}\",\"client\":\"heartline-loadtest/1\",\"device\":\"loadtest\"}}", timeout.Token).ConfigureAwait(false);
            if (!connect.Ok) throw new LoadTestRefusal("connect:" + connect.ErrorCode);
            var subscribe = await client.RequestAsync("subscribe", $"{{\"channel\":\"ptt:{settings.OfficeKey(office)}\"}}", timeout.Token)
                .ConfigureAwait(false);
            if (!subscribe.Ok) throw new LoadTestRefusal("subscribe:" + subscribe.ErrorCode);
        }
        catch (Exception ex) when (ex is LoadTestRefusal or WebSocketException or OperationCanceledException or HttpRequestException or IOException)
        {
            Error(ex switch
            {
                LoadTestRefusal refusal => refusal.Message,
                WebSocketException when client.HttpStatusCode is { } status and not 0 => "connect:http_" + status,
                OperationCanceledException => "connect:timeout",
                _ => "connect:" + ex.GetType().Name,
            });
            await client.DisposeAsync().ConfigureAwait(false);
            return;
        }
        ConnectLatency.Record(started, Stopwatch.GetTimestamp());
        lock (_lock)
        {
            _all.Add(client);
            if (index == LoadTestClient.SpeakerIndex) Speakers[office] = client;
            else Members[office].Add(client);
        }
    }

    /// <summary>Every connected client, for scenarios that treat them alike.</summary>
    public LoadTestClient[] All()
    {
        lock (_lock) return [.. _all];
    }

    public async ValueTask DisposeAsync()
    {
        var all = All();
        progress.Stage("close", all.Length);
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (client, _) =>
        {
            await client.DisposeAsync().ConfigureAwait(false);
            progress.Advance();
        }).ConfigureAwait(false);
        _invoker.Dispose();
    }
}

/// <summary>The server answered a setup command with an error.</summary>
internal sealed class LoadTestRefusal(string kind) : Exception(kind);
