using System.Diagnostics;
using System.Net.WebSockets;
using Heartline.Core.Connections;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Integration;

/// <summary>WebSocket keep-alive as docs/protocol.md 3 states it: pings at most every interval, a silent peer cut by interval + timeout.</summary>
public sealed class KeepAliveTests : RealServerTest
{
    // Long enough that the difference between the setting (16 s) and .NET's own timing (1.25 × 16 = 20 s) is larger than
    // how late a busy machine's timers fire.
    private const int IntervalSeconds = 8, TimeoutSeconds = 8;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:KeepAliveIntervalSeconds"] = IntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Realtime:KeepAliveTimeoutSeconds"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The peer below never sends connect: only the keep-alive may end it.
        ["Realtime:HandshakeTimeoutSeconds"] = "120",
    };

    [Theory]
    [InlineData(10, 8000)]
    [InlineData(1, 800)]
    [InlineData(3600, 2_880_000)]
    public void KeepAlivePeriod_AsksForFourFifths_BecauseDotNetActsAtFiveQuarters(int seconds, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ConnectionHandler.KeepAlivePeriod(seconds));

    [Fact]
    public async Task PeerThatNeverAnswersPings_IsCutWithinIntervalPlusTimeout()
    {
        var registry = Server.Services.GetRequiredService<ConnectionRegistry>();
        using var silent = new ClientWebSocket();
        // No receive is ever issued, so the client never reads the server's pings and never answers them.
        silent.Options.KeepAliveInterval = TimeSpan.Zero;
        await silent.ConnectAsync(Server.WebSocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => registry.Count == 1, "the peer is registered");
        // From the registration (the server's keep-alive runs from the accept, just before): a slow connect under load
        // is not the keep-alive's time.
        var clock = Stopwatch.StartNew();

        await Eventually.TrueAsync(() => registry.Count == 0, "the silent peer is aborted", TimeSpan.FromSeconds(60));

        // .NET's own timing would be 1.25 × (8 + 8) = 20 s; the server asks for what the setting says (16 s); timers
        // never fire early, and the upper bound leaves 2 s for a busy machine's late ones.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(IntervalSeconds + TimeoutSeconds - 4), TimeSpan.FromSeconds(IntervalSeconds + TimeoutSeconds + 2));
    }
}
