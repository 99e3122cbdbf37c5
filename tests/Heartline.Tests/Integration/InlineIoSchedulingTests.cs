using Heartline.Tests.Infrastructure;
using Heartline.Tests.Ptt;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

/// <summary>
/// <c>Realtime:InlineIoScheduling</c> (on by default, so every other test runs with it) reaches Kestrel's transport, and
/// turned off the protocol works the same.
/// </summary>
public sealed class InlineIoSchedulingTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:InlineIoScheduling"] = "false",
    };

    [Fact]
    public async Task ByDefault_KestrelSchedulesInline()
    {
        await using var server = await HeartlineServer.StartAsync();
        Assert.True(server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    [Fact]
    public async Task TurnedOff_KestrelSchedulesAsUsual_AndPublishAndPressWork()
    {
        Assert.False(Server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        await using var speaker = await Server.MemberAsync("drv1");
        await using var listener = await Server.MemberAsync("drv2");

        var press = await speaker.PressAsync();
        var started = await listener.NextPttAsync("session_started");
        (await listener.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        var published = await speaker.RequestAsync("publish", new { channel = "office:r1_o1", data = new { text = "hi" } });

        Assert.Equal(press.GetProperty("session_id").GetString(), started.GetProperty("session_id").GetString());
        published.AssertOk();
        Assert.Equal("hi", (await listener.NextPushAsync(p => p.TryGetProperty("channel", out var c) && c.GetString() == "office:r1_o1"))
            .GetProperty("data").GetProperty("text").GetString());
    }
}
