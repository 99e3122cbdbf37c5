using System.Net;
using Heartline.Tests.Infrastructure;
using Heartline.Voip;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Heartline.Tests.Voip.VoipTestKit;

namespace Heartline.Tests.Voip;

/// <summary>The seed's numbers on a manual clock: pings, missed pings, silence, no answer, the reclaim window, cleanup.</summary>
public sealed class VoipClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" },
            services: s => s.AddSingleton<TimeProvider>(_clock));
        _http = _server.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private GuestLiveness Liveness => _server.Services.GetRequiredService<GuestLiveness>();

    /// <summary>Moves the clock one heartbeat (30 s) and runs the liveness check of that moment.</summary>
    private async Task HeartbeatAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Liveness.SweepAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task ThreeMissedPings_Disconnect_EvenWhenTheGuestSendsOtherFrames()
    {
        var guest = await AdmitAndConnectAsync(_server, _http, "Quiet");
        var seqs = new List<long>();
        for (var second = 30; second <= 210; second += 30)
        {
            await HeartbeatAsync();
            (await guest.Socket.RequestAsync("ping")).AssertOk();
            while (guest.Socket.TryTakePush(out var push))
            {
                if (push.GetProperty("push").GetString() == "voip.ping") seqs.Add(push.GetProperty("seq").GetInt64());
            }
            Assert.Equal(System.Net.WebSockets.WebSocketState.Open, guest.Socket.State);
        }
        // Pings at 60, 120 and 180 s, one a minute, none answered.
        Assert.Equal([1L, 2L, 3L], seqs);
        await HeartbeatAsync(); // 240 s: the third unanswered ping is due again.
        Assert.Equal(4002, await guest.Socket.WaitClosedAsync(Wait));
    }

    [Fact]
    public async Task ThreeMinutesOfSilence_Disconnect()
    {
        var guest = await AdmitAndConnectAsync(_server, _http, "Silent");
        for (var second = 30; second <= 150; second += 30) await HeartbeatAsync();
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, guest.Socket.State);
        await HeartbeatAsync(); // 180 s without a frame from the guest
        Assert.Equal(4002, await guest.Socket.WaitClosedAsync(Wait));
    }

    [Fact]
    public async Task AnsweredPings_KeepAGuestForever_AndCountAsResponsive()
    {
        var guest = await AdmitAndConnectAsync(_server, _http, "Lively");
        for (var second = 30; second <= 600; second += 30)
        {
            await HeartbeatAsync();
            if (second % 60 != 0) continue;
            // A ping a minute; awaited, so the answer is not late by the test's own speed.
            var ping = await guest.Socket.NextPushAsync("voip.ping", Wait);
            Assert.Equal(second / 60, ping.GetProperty("seq").GetInt64());
            (await guest.Socket.RequestAsync("voip.pong", new { seq = ping.GetProperty("seq").GetInt64() })).AssertOk();
        }
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, guest.Socket.State);
        var stats = await _server.Services.GetRequiredService<VoipStatistics>().RefreshAsync(CancellationToken.None);
        Assert.Equal(1, stats.GuestsResponsive);
        Assert.Equal(1, stats.GuestsConnected);
    }

    [Fact]
    public async Task UnansweredCall_EndsWithNoAnswer_After30Seconds()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var callId = await a.CallAsync(b);
        await b.Socket.NextEventAsync("incoming");
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("ringing", (await _server.Services.GetRequiredService<CallControl>().CallOfAsync(a.Id, default))?.State);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var ended = await a.Socket.NextEventAsync("ended");
        Assert.Equal(callId, ended.GetProperty("call_id").GetString());
        Assert.Equal("no_answer", ended.GetProperty("reason").GetString());
        Assert.Equal("no_answer", (await b.Socket.NextEventAsync("ended")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task DroppedSocket_ReconnectWithinTheWindow_RestoresTheCall_BeyondItTheCallEnds()
    {
        var a = await AdmitAndConnectAsync(_server, _http, "A");
        var b = await AdmitAndConnectAsync(_server, _http, "B");
        var callId = await EstablishAsync(a, b);

        a.Socket.Abort();
        var reconnecting = await b.Socket.NextEventAsync("reconnecting");
        Assert.Equal(a.Id, reconnecting.GetProperty("party").GetString());
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds() + 60_000, reconnecting.GetProperty("deadline").GetInt64());

        _clock.Advance(TimeSpan.FromSeconds(59));
        await ConnectAsync(_server.WebSocketUri, a);
        Assert.Equal(a.Id, (await b.Socket.NextEventAsync("reconnected")).GetProperty("party").GetString());
        // The call goes on from the new connection, past the first deadline.
        _clock.Advance(TimeSpan.FromSeconds(5));
        (await a.Socket.RequestAsync("voip.signal", new { call_id = callId, kind = "offer", data = new { type = "offer", sdp = "restart" } })).AssertOk();
        Assert.Equal("restart", (await b.Socket.NextEventAsync("signal")).GetProperty("data").GetProperty("sdp").GetString());

        a.Socket.Abort();
        await b.Socket.NextEventAsync("reconnecting");
        _clock.Advance(TimeSpan.FromSeconds(60));
        var ended = await b.Socket.NextEventAsync("ended");
        Assert.Equal("peer_gone", ended.GetProperty("reason").GetString());

        // The guest is gone: its token no longer connects, with the documented error and close code.
        await using var late = await WsClient.OpenAsync(_server.WebSocketUri);
        Assert.Equal("voip_guest_gone", (await late.RequestAsync("connect", new { token = a.Token })).ErrorCode);
        Assert.Equal(4503, await late.WaitClosedAsync(Wait));
        // B is free again.
        var c = await AdmitAndConnectAsync(_server, _http, "C");
        await c.CallAsync(b);
    }

    [Fact]
    public async Task Cleanup_RemovesGuestsWhoseWindowEnded_AndKeepsTheOthers()
    {
        var leaving = await AdmitAndConnectAsync(_server, _http, "Leaving");
        var staying = await AdmitAndConnectAsync(_server, _http, "Staying");
        var statistics = _server.Services.GetRequiredService<VoipStatistics>();
        await leaving.Socket.CloseAsync();
        for (var deadline = DateTime.UtcNow + Wait; (await statistics.RefreshAsync(default)).GuestsReclaimable != 1; await Task.Delay(20))
            Assert.True(DateTime.UtcNow < deadline, "the guest was never marked disconnected");

        var cleanup = _server.Services.GetRequiredService<GuestCleanup>();
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await cleanup.SweepAsync(default)); // still within its window
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await cleanup.SweepAsync(default));
        var stats = await statistics.RefreshAsync(default);
        Assert.Equal(1, stats.GuestsTotal);
        Assert.Equal(0, stats.GuestsReclaimable);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, staying.Socket.State);
        Assert.Equal(TimeSpan.FromMinutes(5), cleanup.Period);
        Assert.Equal(TimeSpan.FromSeconds(30), Liveness.Period);
    }
}
