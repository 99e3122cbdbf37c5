using System.Net.WebSockets;
using System.Text;
using Heartline.Core.Auth;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartline.Tests.Integration;

/// <summary>
/// Thousands of random and malformed frames from several clients: the server must not crash, must not log an Error,
/// must keep its memory bounded, and must serve a well-behaved client on the same server throughout.
/// </summary>
public sealed class ProtocolFuzzTests
{
    private static readonly string[] Commands = ["connect", "ping", "subscribe", "unsubscribe", "publish", "presence", "", "x", "ptt.press"];

    [Fact]
    public async Task RandomFrames_DoNotDisturbAWellBehavedClient()
    {
        var logs = new LogRecorder();
        await using var server = await HeartlineServer.StartAsync(new Dictionary<string, string?>
        {
            ["Realtime:CommandBurst"] = "100000",
            ["Realtime:CommandRatePerSecond"] = "100000",
            ["Realtime:ConnectRatePerIp"] = "100000",
            ["Realtime:MaxMessageBytes"] = "8192",
        }, services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using var good = await server.ConnectAsync("good", role: Roles.CallManager);
        (await good.RequestAsync("subscribe", new { channel = "office:r1_o1" })).AssertOk();
        var random = new Random(20261122);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var sent = 0;
        var goodRounds = 0;

        for (var round = 0; round < 40; round++)
        {
            var fuzzers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
                i % 2 == 0 ? await server.ConnectAsync("f" + i) : await WsClient.OpenAsync(server.WebSocketUri)));
            foreach (var fuzzer in fuzzers)
            {
                for (var f = 0; f < 25 && fuzzer.State == WebSocketState.Open; f++)
                {
                    var (data, type) = RandomFrame(random);
                    try { await fuzzer.SendAsync(data, type); }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { break; }
                    sent++;
                }
            }
            // The well-behaved client is served between every burst.
            var published = await good.RequestAsync("publish", new { channel = "office:r1_o1", data = new { round } });
            published.AssertOk();
            var pub = await good.NextPushAsync(p => p.TryGetProperty("push", out var t) && t.GetString() == "pub"
                && p.GetProperty("data").GetProperty("round").GetInt32() == round);
            Assert.Equal(published.Result.GetProperty("offset").GetInt64(), pub.GetProperty("offset").GetInt64());
            goodRounds++;
            foreach (var fuzzer in fuzzers) await fuzzer.DisposeAsync();
        }

        Assert.Equal(40, goodRounds);
        Assert.True(sent >= 3000, $"only {sent} frames were sent");
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(memoryAfter - memoryBefore < 64 * 1024 * 1024, $"managed memory grew by {(memoryAfter - memoryBefore) / 1024 / 1024} MB");
        Assert.Empty(logs.Errors);
    }

    private static (byte[] Data, WebSocketMessageType Type) RandomFrame(Random random)
    {
        switch (random.Next(8))
        {
            case 0:
                var bytes = new byte[random.Next(1, 512)];
                random.NextBytes(bytes);
                return (bytes, random.Next(2) == 0 ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
            case 1:
                return (Encoding.UTF8.GetBytes(new string('[', random.Next(1, 200))), WebSocketMessageType.Text);
            case 2:
                return (new byte[random.Next(8193, 20000)], WebSocketMessageType.Text);
            default:
                var cmd = Commands[random.Next(Commands.Length)];
                var id = random.Next(3) switch { 0 => "-5", 1 => "\"x\"", _ => random.Next(1, 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                var args = random.Next(6) switch
                {
                    0 => "null",
                    1 => "[]",
                    2 => "{\"channel\":\"office:r1_o1\",\"since\":{\"offset\":-3,\"epoch\":7}}",
                    3 => "{\"channel\":\"" + new string('a', random.Next(0, 300)) + "\",\"data\":{\"a\":[1,2,{\"b\":null}]}}",
                    4 => "{\"token\":\"" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + "\"}",
                    _ => "{\"office\":\"r1_o9\",\"channel\":\"presence:r1_o1\",\"since\":\"nope\"}",
                };
                var json = $"{{\"id\":{id},\"cmd\":\"{cmd}\",\"args\":{args}}}";
                if (random.Next(5) == 0) json = json[..random.Next(1, json.Length)];
                return (Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);
        }
    }
}
