using Heartline.Client;
using Heartline.Client.Voip;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

/// <summary>The .NET SDK's VoIP layer against the real server: admission, a call with signalling, and the liveness pong.</summary>
public sealed class VoipClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private HeartlineServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" });
        _http = _server.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HeartlineClient Client, VoipClient Voip, VoipGuest Guest, EventQueue<VoipCallEvent> Events)> GuestAsync(string name)
    {
        var guest = await VoipClient.AdmitAsync(_http, name);
        var client = await ClientKit.ConnectAsync(new HeartlineClientOptions
        {
            Uri = _server.WebSocketUri,
            TokenProvider = _ => ValueTask.FromResult(guest.Token),
            RequestTimeout = Wait,
        });
        var voip = new VoipClient(client);
        var events = new EventQueue<VoipCallEvent>();
        voip.CallEvent += events.Handler;
        await voip.StartAsync();
        return (client, voip, guest, events);
    }

    [Fact]
    public async Task TwoGuests_CallSignalAndHangUp_ThroughTheSdk()
    {
        var a = await GuestAsync("가나다");
        var b = await GuestAsync("Bob");
        await using var ac = a.Client;
        await using var bc = b.Client;
        Assert.Equal(32, a.Guest.GuestId.Length);

        var call = await a.Voip.CallAsync(b.Guest.GuestId, "audio");
        Assert.Equal("ringing", call.State);
        var incoming = await b.Events.NextAsync(e => e.Type == "incoming");
        Assert.Equal("가나다", incoming.From!.Name);
        Assert.Equal("audio", incoming.Media);
        await b.Voip.AcceptAsync(call.CallId);
        Assert.Equal(a.Guest.GuestId, (await a.Events.NextAsync(e => e.Type == "accepted")).Caller);

        await a.Voip.SignalAsync(call.CallId, "offer", new { type = "offer", sdp = "v=0" });
        var offer = await b.Events.NextAsync(e => e.Type == "signal");
        Assert.Equal("v=0", offer.Data!.Value.GetProperty("sdp").GetString());

        var busy = await Assert.ThrowsAsync<HeartlineException>(() => b.Voip.CallAsync(a.Guest.GuestId + "0"));
        Assert.Equal("voip_unreachable", busy.Code);

        await b.Voip.HangupAsync(call.CallId);
        Assert.Equal("hangup", (await a.Events.NextAsync(e => e.Type == "ended")).Reason);
        var (token, expiresAt) = await a.Voip.RenewAsync();
        Assert.NotEmpty(token);
        Assert.True(expiresAt > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task ThePingIsAnsweredByTheSdk_SoTheGuestStaysResponsive()
    {
        var a = await GuestAsync("Pinged");
        await using var client = a.Client;
        var session = Assert.Single(_server.Services.GetRequiredService<Heartline.Voip.GuestSessions>().All);
        // The liveness check as of a minute after connecting: a ping is due and sent.
        var due = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 61_000;
        var (verdict, seq) = session.Check(due, 60_000, 3, 600_000);
        Assert.Equal(Heartline.Voip.LivenessVerdict.Alive, verdict);
        session.Connection.Send(Heartline.Core.Protocol.FrameWriter.Push("voip.ping", new Heartline.Voip.PingPush(seq!.Value),
            Heartline.Voip.VoipJson.Default.PingPush));
        for (var deadline = DateTime.UtcNow + Wait; session.AwaitingPong; await Task.Delay(20))
            Assert.True(DateTime.UtcNow < deadline, "the SDK never answered the ping");
        Assert.True(session.Responsive);
    }
}
