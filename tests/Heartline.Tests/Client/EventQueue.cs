using System.Threading.Channels;

namespace Heartline.Tests.Client;

/// <summary>Collects the arguments of an event so a test can await them one by one, each wait bounded.</summary>
internal sealed class EventQueue<T>
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();

    public void Handler(object? sender, T args) => _items.Writer.TryWrite(args);

    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        return await _items.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next item that <paramref name="match"/> accepts; earlier ones are dropped. Each wait is bounded.</summary>
    public async Task<T> NextAsync(Func<T, bool> match, TimeSpan? timeout = null)
    {
        while (true)
        {
            var next = await NextAsync(timeout);
            if (match(next)) return next;
        }
    }

    public bool TryTake(out T item) => _items.Reader.TryRead(out item!);
}
