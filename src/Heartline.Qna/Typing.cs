using System.Collections.Concurrent;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// Who is typing in which question. A start is signalled to the room at once (a channel signal: live only, never in
/// history); the state ends on stop, on the connection's end, or <c>Qna:TypingExpirySeconds</c> after the last start
/// (clients repeat it while typing) on a timer of its own, so the others see it end on time rather than at a sweep.
/// </summary>
internal sealed class Typing(IChannels channels, TimeProvider time, IOptions<QnaOptions> options) : IConnectionObserver, IDisposable
{
    private readonly ConcurrentDictionary<(string Question, string User), Entry> _typing = new();

    private sealed class Entry(string connectionId, string name)
    {
        public string ConnectionId { get; set; } = connectionId;
        public string Name { get; } = name;
        public ITimer? Timer { get; set; }
    }

    public void Start(string questionId, string userId, string name, string connectionId)
    {
        var key = (questionId, userId);
        var created = false;
        var entry = _typing.GetOrAdd(key, _ =>
        {
            created = true;
            return new Entry(connectionId, name);
        });
        lock (entry)
        {
            entry.ConnectionId = connectionId;
            entry.Timer ??= time.CreateTimer(_ => Stop(questionId, userId), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            entry.Timer.Change(TimeSpan.FromSeconds(options.Value.TypingExpirySeconds), Timeout.InfiniteTimeSpan);
        }
        if (created) Signal(questionId, userId, name, true);
    }

    public void Stop(string questionId, string userId)
    {
        if (!_typing.TryRemove((questionId, userId), out var entry)) return;
        lock (entry) entry.Timer?.Dispose();
        Signal(questionId, userId, entry.Name, false);
    }

    /// <summary>The users typing in a question now (for a client that just joined).</summary>
    public IReadOnlyList<string> In(string questionId) =>
        [.. _typing.Keys.Where(k => k.Question == questionId).Select(k => k.User).Order(StringComparer.Ordinal)];

    public ValueTask OnConnectedAsync(ClientConnection connection) => ValueTask.CompletedTask;

    public void OnDisconnected(ClientConnection connection, string reason)
    {
        foreach (var (key, entry) in _typing)
        {
            if (entry.ConnectionId == connection.Id) Stop(key.Question, key.User);
        }
    }

    private void Signal(string questionId, string userId, string name, bool typing) =>
        channels.Signal(Notifier.Room(questionId), new TypingSignal("typing", questionId, userId, name, typing), QnaJson.Default.TypingSignal);

    public void Dispose()
    {
        foreach (var entry in _typing.Values)
        {
            lock (entry) entry.Timer?.Dispose();
        }
        _typing.Clear();
    }
}
