using Heartline.Client;
using Heartline.Client.Qna;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Heartline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Client;

/// <summary>The .NET SDK's Q&amp;A layer against the real server: tiers, a room with typing and receipts, accept, and a reconnect that restores.</summary>
public sealed class QnaClientTests : IAsyncLifetime
{
    private const string Role = "qna_user";
    private HeartlineServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await HeartlineServer.StartAsync(new Dictionary<string, string?> { ["Realtime:ConnectRatePerIp"] = "1000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HeartlineClient Client, QnaClient Qna, EventQueue<QnaNotification> Notifications, EventQueue<QnaRoomEvent> Room)> UserAsync(string id,
        Func<CancellationToken, ValueTask<string>>? tokenProvider = null)
    {
        var client = await ClientKit.ConnectAsync(ClientKit.Options(_server, id, Role, tokenProvider));
        var qna = new QnaClient(client);
        var notifications = new EventQueue<QnaNotification>();
        var room = new EventQueue<QnaRoomEvent>();
        qna.Notification += notifications.Handler;
        qna.RoomEvent += room.Handler;
        await qna.StartAsync();
        return (client, qna, notifications, room);
    }

    [Fact]
    public async Task AskToldTypeAnswerReadAccept_ThroughTheSdk()
    {
        var asker = await UserAsync("asker");
        var local = await UserAsync("local");
        await using var ac = asker.Client;
        await using var lc = local.Client;
        Assert.True(await local.Qna.UpdateLocationAsync(33.463, 126.342));

        var question = await asker.Qna.AskAsync("한담 주차?", 33.463, 126.331, ["주차"], urgent: true);
        var told = await local.Notifications.NextAsync(n => n.Kind == "question");
        Assert.Equal((question.Id, 1, "high"), (told.Question.Id, told.Tier!.Value, told.Priority));
        Assert.Equal("aewol", told.Question.Region.Code);

        await asker.Qna.OpenRoomAsync(question.Id);
        var state = await local.Qna.OpenRoomAsync(question.Id);
        Assert.Equal("open", state.Question.Status);
        // Both have the room open (the subscriptions are in place once OpenRoomAsync returned).
        Assert.Equal(["asker", "local"], (await asker.Qna.ViewersAsync(question.Id)).Select(v => v.UserId).Order());
        Assert.Equal("local", (await asker.Qna.ViewersAsync(question.Id)).Single(v => v.UserId == "local").Name);
        await local.Qna.TypingAsync(question.Id, true);
        var typing = await asker.Room.NextAsync(e => e.Type == "typing");
        Assert.Equal(("local", true), (typing.UserId, typing.Typing));
        var answer = await local.Qna.AnswerAsync(question.Id, "공영주차장");
        Assert.Equal(answer.Id, (await asker.Room.NextAsync(e => e.Type == "answer")).Answer!.Id);
        Assert.False((await asker.Room.NextAsync(e => e.Type == "typing")).Typing);

        Assert.Equal((1L, 1L), await asker.Qna.ReceiptAsync(question.Id, readSeq: 1));
        Assert.Equal(1, (await local.Room.NextAsync(e => e.Type == "receipt" && e.UserId == "asker")).ReadSeq);
        Assert.Equal(10, await asker.Qna.AcceptAsync(answer.Id));
        Assert.Equal("accepted", (await local.Notifications.NextAsync(n => n.Kind == "accepted")).Kind);
        Assert.Equal(10, await local.Qna.PointsAsync());
        var error = await Assert.ThrowsAsync<HeartlineException>(() => asker.Qna.AcceptAsync(answer.Id));
        Assert.Equal("qna_already_accepted", error.Code);
        Assert.Contains((await local.Qna.NearbyAsync(33.463, 126.342)), q => q.Id == question.Id && q.DistanceM is > 900 and < 1100);
        await local.Qna.CloseRoomAsync(question.Id);
        Assert.Equal(["asker"], (await asker.Qna.ViewersAsync(question.Id)).Select(v => v.UserId));
    }

    [Fact]
    public async Task AfterAReconnect_TheRoomResumes_TheLocationIsSentAgain_AndUnreadCountsAreRestored()
    {
        // Every connect after the first waits for the gate, so both answers are surely stored while the asker is away.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connects = 0;
        var asker = await UserAsync("asker", async ct =>
        {
            if (Interlocked.Increment(ref connects) > 1) await gate.Task.WaitAsync(ct);
            return _server.Token("asker", role: Role);
        });
        var helper = await UserAsync("helper");
        await using var ac = asker.Client;
        await using var hc = helper.Client;
        await asker.Qna.UpdateLocationAsync(33.463, 126.331);
        var question = await asker.Qna.AskAsync("버스?", 33.463, 126.331);
        await asker.Qna.OpenRoomAsync(question.Id);
        var restored = new EventQueue<QnaUnread[]>();
        asker.Qna.Restored += restored.Handler;

        Assert.True(_server.Services.GetRequiredService<ConnectionRegistry>().TryGet(asker.Client.ConnectionId!, out var connection));
        await helper.Qna.AnswerAsync(question.Id, "201번");
        connection.Close(CloseCodes.InternalError, "test");
        await helper.Qna.AnswerAsync(question.Id, "택시도 있어요");
        gate.SetResult();
        var unread = await restored.NextAsync(_ => true);
        Assert.Equal([new QnaUnread(question.Id, 2)], unread);
        var bodies = new List<string>();
        for (var i = 0; i < 2; i++) bodies.Add((await asker.Room.NextAsync(e => e.Type == "answer")).Answer!.Body);
        Assert.Equal(["201번", "택시도 있어요"], bodies);
        // The location was sent again after the reconnect: a question asked nearby reaches the asker.
        var second = await helper.Qna.AskAsync("카페?", 33.463, 126.342);
        Assert.Equal(second.Id, (await asker.Notifications.NextAsync(n => n.Kind == "question")).Question.Id);
    }
}
