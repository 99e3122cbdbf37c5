using System.Net.WebSockets;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Ptt;
using Heartline.Tests.Infrastructure;
using Heartline.SampleModule;
using Heartline.Tests.Ptt;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Modules;

/// <summary>A module added to the host without a change to Heartline.Core: everything it registered works end to end.</summary>
public sealed class SampleModuleTests : IAsyncLifetime
{
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await HeartlineServer.StartAsync(modules: heartline => heartline.AddNotes()).WaitAsync(TimeSpan.FromSeconds(30));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<WsClient> NoteTakerAsync(string userId)
    {
        var client = await WsClient.OpenAsync(_server.WebSocketUri);
        var token = _server.Services.GetRequiredService<TokenIssuer>().Mint(userId, userId, [NotesModule.Role], null, TimeSpan.FromHours(1));
        var reply = await client.RequestAsync("connect", new { token });
        reply.AssertOk();
        Assert.Equal(["notes/room"], reply.Result.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        return client;
    }

    [Fact]
    public async Task Command_Channel_Role_ErrorCode_Migration_AndEndpoint_WorkTogether()
    {
        await using var writer = await NoteTakerAsync("n1");
        (await writer.RequestAsync("subscribe", new { channel = "notes:n1" })).AssertOk();

        var added = await writer.RequestAsync("notes.add", new { text = "hello" });
        var tooLong = await writer.RequestAsync("notes.add", new { text = new string('x', 21) });
        var other = await writer.RequestAsync("subscribe", new { channel = "notes:n2" });

        Assert.Equal(5, added.Result.GetProperty("length").GetInt32());
        Assert.Equal("hello", (await writer.NextPushAsync("pub")).GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("note_too_long", tooLong.ErrorCode);
        Assert.Equal("forbidden", other.ErrorCode);
        // A principal without the module's role is refused by the module's own check.
        await using var driver = await _server.ConnectAsync("u1");
        Assert.Equal("forbidden", (await driver.RequestAsync("notes.add", new { text = "hi" })).ErrorCode);
        var http = _server.CreateHttpClient(_server.Token("u1"));
        Assert.Equal(1, await http.GetFromJsonAsync<long>("/api/notes/count"));
    }

    [Fact]
    public async Task PresenceScope_IsTheModules_AndWatchedOnlyByThoseItLets()
    {
        await using var a = await NoteTakerAsync("n1");
        await using var b = await NoteTakerAsync("n2");
        await using var driver = await _server.ConnectAsync("u1");

        var users = await a.RequestAsync("presence", new { scope = "notes/room" });

        Assert.Equal(["n1", "n2"], users.Result.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user_id").GetString()).Order());
        Assert.Equal("forbidden", (await driver.RequestAsync("presence", new { scope = "notes/room" })).ErrorCode);
    }

    [Fact]
    public async Task BinaryKinds_OfTwoModules_AreRoutedEachToItsOwn()
    {
        await using var writer = await NoteTakerAsync("n1");
        await using var speaker = await _server.MemberAsync("d1", Roles.CallManager);
        await using var listener = await _server.MemberAsync("u2");
        var epoch = (await speaker.PressAsync()).GetProperty("epoch").GetInt64();

        await writer.SendAsync([NotesModule.FrameKind, 1, 2], WebSocketMessageType.Binary);
        await writer.SendAsync([NotesModule.FrameKind], WebSocketMessageType.Binary);
        await speaker.SendAsync(FloorControlTests.Audio(epoch, 1), WebSocketMessageType.Binary);

        Assert.Equal(1, (await writer.NextPushAsync("notes.frames")).GetProperty("frames").GetInt64());
        Assert.Equal("bad_frame", (await writer.NextPushAsync("error")).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(FloorControl.OpusAudioKind, (await listener.NextBinaryAsync())[0]);
    }

    [Fact]
    public async Task DisconnectAction_RunsOnceWhenTheConnectionEnds()
    {
        var writer = await NoteTakerAsync("n1");

        await writer.CloseAsync();
        await writer.DisposeAsync();

        await using var db = new SqliteConnection($"Data Source={_server.DatabasePath}");
        await Eventually.TrueAsync(() => db.ExecuteScalar<long>("SELECT count(*) FROM sample_goodbyes WHERE user_id = 'n1' AND reason = 'client_closed'") == 1,
            "the goodbye action ran");
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM schema_migrations WHERE module = 'notes' AND version = 1"));
    }
}
