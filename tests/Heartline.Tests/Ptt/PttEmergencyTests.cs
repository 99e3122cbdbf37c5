using System.Net;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Ptt;

/// <summary>Emergencies: a driver's pre-empts whoever talks, reaches every member, is rate-limited, and stays open until a call manager acknowledges it once.</summary>
public sealed class PttEmergencyTests : PttServerTest
{
    [Fact]
    public async Task ADriversEmergency_EndsTheTransmissionOnAir_ReachesEveryone_AndIsAcknowledgedOnceByACallManager()
    {
        var member = await MemberAsync("drv0");
        var driver = await MemberAsync("drv1");
        var other = await MemberAsync("drv2");
        var managerPress = await Server.MemberAsync("cm2", Roles.CallManager);
        var press = await managerPress.PressAsync();
        await driver.NextPttAsync("session_started");

        var raised = await driver.RequestAsync("ptt.emergency");
        raised.AssertOk();
        var id = raised.Result.GetProperty("emergency_id").GetString()!;
        Assert.Equal(press.GetProperty("session_id").GetString(), raised.Result.GetProperty("ended_session_id").GetString());
        var ended = await other.NextPttAsync("session_ended");
        Assert.Equal("emergency", ended.GetProperty("reason").GetString());
        foreach (var listener in new[] { member, other })
        {
            var alert = await listener.NextPttAsync("emergency");
            Assert.Equal((id, "drv1"), (alert.GetProperty("emergency_id").GetString(), alert.GetProperty("user").GetProperty("user_id").GetString()));
        }

        // Not twice within the cooldown; a driver cannot acknowledge; the call manager can, once.
        Assert.Equal("rate_limited", (await driver.RequestAsync("ptt.emergency")).ErrorCode);
        Assert.Equal("forbidden", (await other.RequestAsync("ptt.emergency_ack", new { emergency_id = id })).ErrorCode);
        using (var http = Http("cm3", Roles.CallManager))
            Assert.Single((await GetJsonAsync(http, "/api/ptt/emergencies")).EnumerateArray());
        var ack = await managerPress.RequestAsync("ptt.emergency_ack", new { emergency_id = id });
        ack.AssertOk();
        Assert.True(ack.Result.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("cm2", (await driver.NextPttAsync("emergency_acknowledged")).GetProperty("by").GetProperty("user_id").GetString());
        Assert.False((await managerPress.RequestAsync("ptt.emergency_ack", new { emergency_id = id })).Result.GetProperty("acknowledged").GetBoolean());
        using (var http = Http("cm3", Roles.CallManager))
            Assert.Equal(0, (await GetJsonAsync(http, "/api/ptt/emergencies")).GetArrayLength());

        // Another office's call manager knows nothing of it; the log has who raised and who acknowledged.
        await using var stranger = await Server.MemberAsync("cm9", Roles.CallManager, office: "o9");
        Assert.Equal("not_found", (await stranger.RequestAsync("ptt.emergency_ack", new { emergency_id = id })).ErrorCode);
        await Server.Services.GetRequiredService<Heartline.Core.Events.IEventLog>().FlushAsync().WaitAsync(Timeout);
        using var log = Http("cm3", Roles.CallManager);
        Assert.Equal("drv1", Assert.Single((await GetJsonAsync(log, "/api/ptt/events?type=EMERGENCY_RAISED")).GetProperty("items").EnumerateArray())
            .GetProperty("user_id").GetString());
        Assert.Equal("cm2", Assert.Single((await GetJsonAsync(log, "/api/ptt/events?type=EMERGENCY_ACKNOWLEDGED")).GetProperty("items").EnumerateArray())
            .GetProperty("user_id").GetString());
        await managerPress.DisposeAsync();
    }
}
