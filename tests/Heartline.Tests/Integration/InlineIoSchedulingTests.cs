using Heartline.Tests.Infrastructure;
using Heartline.Tests.Ptt;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Integration;

/// <summary><c>Realtime:InlineIoScheduling</c> reaches Kestrel's transport, and the protocol works the same with it.</summary>
public sealed class InlineIoSchedulingTests : RealServerTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Realtime:InlineIoScheduling"] = "true",
    };

    [Fact]
    public async Task TheSetting_IsKestrelsInlineScheduling_AndPublishAndPressWork()
    {
        Assert.True(Server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
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
