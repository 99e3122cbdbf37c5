using System.Collections.Concurrent;
using Heartline.Core.Operations;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Accounts;

/// <summary>
/// Failed sign-ins per login and per address in a sliding window: past the limit, sign-in is refused (even with the
/// right password) until the oldest failure ages out. Hand-written because the framework's rate limiter counts
/// requests, and only failures may count here. Kept per node: in a cluster each node allows its own limit.
/// </summary>
internal sealed class SignInThrottle(IOptions<AccountsOptions> options, TimeProvider time) : ISweeper
{
    private readonly ConcurrentDictionary<string, Queue<long>> _failures = new(StringComparer.Ordinal);

    public string Name => "sign-in-throttle";

    public TimeSpan Period => TimeSpan.FromMinutes(1);

    private long WindowMs => options.Value.FailureWindowMinutes * 60_000L;

    /// <summary>
    /// How long until <paramref name="login"/> from <paramref name="address"/> may try again; null when it may now.
    /// Without a login (a one-time code) only the address counts.
    /// </summary>
    public TimeSpan? RetryAfter(string? login, string address)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var byLogin = login is null ? null : Blocked(LoginKey(login), options.Value.MaxFailuresPerLogin, now);
        var byAddress = Blocked(AddressKey(address), options.Value.MaxFailuresPerAddress, now);
        return (byLogin, byAddress) switch
        {
            (null, null) => null,
            ({ } a, { } b) => a > b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
        };
    }

    public void Failed(string? login, string address)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (login is not null) Add(LoginKey(login), now);
        Add(AddressKey(address), now);
    }

    /// <summary>A successful sign-in clears the login's failures (not the address's: one address may try many logins).</summary>
    public void Succeeded(string login) => _failures.TryRemove(LoginKey(login), out _);

    public Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().ToUnixTimeMilliseconds() - WindowMs;
        var removed = 0;
        foreach (var (key, queue) in _failures)
        {
            lock (queue)
            {
                Trim(queue, cutoff);
                if (queue.Count > 0) continue;
            }
            if (_failures.TryRemove(new KeyValuePair<string, Queue<long>>(key, queue))) removed++;
        }
        return Task.FromResult(removed);
    }

    private TimeSpan? Blocked(string key, int limit, long now)
    {
        if (!_failures.TryGetValue(key, out var queue)) return null;
        lock (queue)
        {
            Trim(queue, now - WindowMs);
            if (queue.Count < limit) return null;
            // Free again once enough of the failures have aged out to be under the limit.
            var oldestThatMustAge = queue.ElementAt(queue.Count - limit);
            return TimeSpan.FromMilliseconds(Math.Max(1000, oldestThatMustAge + WindowMs - now));
        }
    }

    private void Add(string key, long now)
    {
        var queue = _failures.GetOrAdd(key, static _ => new Queue<long>());
        lock (queue)
        {
            queue.Enqueue(now);
            // Never more than the larger limit is needed to decide.
            while (queue.Count > Math.Max(options.Value.MaxFailuresPerLogin, options.Value.MaxFailuresPerAddress)) queue.Dequeue();
        }
    }

    private static void Trim(Queue<long> queue, long cutoff)
    {
        while (queue.TryPeek(out var oldest) && oldest < cutoff) queue.Dequeue();
    }

    private static string LoginKey(string login) => "l:" + login;

    private static string AddressKey(string address) => "a:" + address;
}
