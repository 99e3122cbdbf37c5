using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Heartline.Ptt;
using Heartline.Ptt.Recordings;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Heartline.Tests.Ptt;

/// <summary>
/// Recorded transmissions: what the relay carried is kept as Ogg Opus that Debian's opusinfo (opus-tools, installed by
/// ./test.sh) reads to the expected length; listed newest first for the office only, served with Range, and purged.
/// </summary>
public sealed class PttRecordingTests : PttServerTest
{
    /// <summary>A relay frame whose Opus packet is a lone TOC byte (CELT, full band, 20 ms, one frame of length zero): a valid packet that decodes to 20 ms.</summary>
    private static byte[] Frame(long epoch, uint sequence)
    {
        var frame = new byte[FloorControl.AudioHeaderLength + 1];
        frame[0] = FloorControl.OpusAudioKind;
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(1), epoch);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), sequence);
        frame[^1] = 0xF8;
        return frame;
    }

    [Fact]
    public async Task ATransmission_IsKeptAsOggOpusOfItsLength_ForItsOfficeOnly_UntilTheRetentionEnds()
    {
        var speaker = await MemberAsync("drv1");
        var listener = await MemberAsync("drv2");
        var press = await speaker.PressAsync();
        var sessionId = press.GetProperty("session_id").GetString()!;
        var epoch = press.GetProperty("epoch").GetInt64();
        await listener.NextPttAsync("session_started");
        for (uint seq = 1; seq <= 50; seq++) await speaker.SendAsync(Frame(epoch, seq), WebSocketMessageType.Binary);
        for (var i = 0; i < 50; i++) await listener.NextBinaryAsync(Timeout);
        (await speaker.RequestAsync("ptt.release", new { epoch })).AssertOk();
        await listener.NextPttAsync("session_ended");
        // The recording is kept once the release hang is over (its last frames may still be in flight).
        Clock.Advance(TimeSpan.FromMilliseconds(Server.Services.GetRequiredService<FloorControl>().Options.ReleaseHangMs + 100));

        using var http = Http("cm1", Roles.CallManager);
        System.Text.Json.JsonElement listed = default;
        await Eventually.TrueAsync(async () =>
        {
            await Server.Services.GetRequiredService<PttStore>().FlushAsync();
            listed = await GetJsonAsync(http, "/api/ptt/transmissions");
            return listed.GetArrayLength() == 1;
        }, "the recording listed", Timeout);
        var item = listed[0];
        Assert.Equal((sessionId, "drv1", 1000L, 50L), (item.GetProperty("session_id").GetString(), item.GetProperty("speaker").GetProperty("user_id").GetString(),
            item.GetProperty("duration_ms").GetInt64(), item.GetProperty("frames").GetInt64()));

        using var audio = await http.GetAsync(item.GetProperty("audio_url").GetString());
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/ogg", audio.Content.Headers.ContentType!.MediaType);
        var ogg = await audio.Content.ReadAsByteArrayAsync();
        Assert.Equal("OggS"u8.ToArray(), ogg[..4]);
        using (var range = new HttpRequestMessage(HttpMethod.Get, item.GetProperty("audio_url").GetString()))
        {
            range.Headers.Range = new RangeHeaderValue(0, 3);
            using var partial = await http.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(4, (await partial.Content.ReadAsByteArrayAsync()).Length);
        }
        // 50 packets of 20 ms, less the 312-sample pre-skip: 0.9935 s.
        Assert.Contains("Playback length: 0m:00.993s", await OpusInfoAsync(ogg), StringComparison.Ordinal);

        using (var other = Http("cm9", Roles.CallManager, office: "o9"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(item.GetProperty("audio_url").GetString())).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/ptt/transmissions?office=r1_o1")).StatusCode);
        }

        // A day and an hour later the retention has passed: the purge removes it.
        var later = new FakeTimeProvider(Clock.GetUtcNow() + TimeSpan.FromHours(25));
        var purge = ActivatorUtilities.CreateInstance<RecordingsPurge>(Server.Services, (TimeProvider)later);
        Assert.Equal(1, await purge.SweepAsync(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(0, (await GetJsonAsync(http, "/api/ptt/transmissions")).GetArrayLength());
    }

    /// <summary>opusinfo's report of an Ogg Opus file (it validates the pages, their checksums and the Opus headers).</summary>
    private static async Task<string> OpusInfoAsync(byte[] ogg)
    {
        Assert.True(File.Exists("/usr/bin/opusinfo"), "opusinfo is missing: apt-get install opus-tools (./test.sh does)");
        var path = Path.Combine(Path.GetTempPath(), $"heartline-{Guid.NewGuid():N}.opus");
        await File.WriteAllBytesAsync(path, ogg);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/opusinfo", [path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Timeout);
            Assert.True(process.ExitCode == 0, $"opusinfo exited {process.ExitCode}: {await output} {await error}");
            return await output + await error;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
